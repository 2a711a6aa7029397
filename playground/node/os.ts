// node:os in the playground's worker: only tmpdir(), named by porcupine's page writer (a
// write there fails with node/fs.ts's message: the page has no file system).
export function tmpdir(): string {
  return "/tmp";
}
export default { tmpdir };
