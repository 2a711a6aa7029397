// node:fs in the playground's worker: the student's files (and the few framework files the
// sandbox reads from disk) held in memory under /labs. The sandbox (labs-test/sandbox/)
// reads student files through readFileSync/existsSync/readdirSync; this answers those
// reads from the page's editor. Nothing is ever written: a simulated test in the page has
// no file system, and a write is an error that says so.
const files = new Map<string, string>();

/** Replace the virtual tree: absolute path (/labs/...) → text. */
export function setVirtualFiles(entries: Record<string, string>): void {
  files.clear();
  for (const [p, text] of Object.entries(entries)) files.set(p, text);
}

function isDir(p: string): boolean {
  const prefix = p.endsWith("/") ? p : `${p}/`;
  for (const f of files.keys()) if (f.startsWith(prefix)) return true;
  return false;
}

function noEntry(p: string): Error {
  return Object.assign(new Error(`ENOENT: no such file or directory, open '${p}'`), { code: "ENOENT" });
}

export function readFileSync(p: string, _enc?: unknown): string {
  const t = files.get(String(p));
  if (t === undefined) throw noEntry(String(p));
  return t;
}

export function existsSync(p: string): boolean {
  return files.has(String(p)) || isDir(String(p));
}

interface Dirent {
  name: string;
  isFile(): boolean;
  isDirectory(): boolean;
}

export function readdirSync(p: string, opts?: { withFileTypes?: boolean }): Array<string | Dirent> {
  const prefix = String(p).endsWith("/") ? String(p) : `${String(p)}/`;
  const names = new Map<string, boolean>();
  for (const f of files.keys()) {
    if (!f.startsWith(prefix)) continue;
    const rest = f.slice(prefix.length);
    const slash = rest.indexOf("/");
    names.set(slash === -1 ? rest : rest.slice(0, slash), slash === -1);
  }
  const sorted = [...names.keys()].sort();
  if (opts?.withFileTypes !== true) return sorted;
  return sorted.map((name) => ({ name, isFile: () => names.get(name) === true, isDirectory: () => names.get(name) === false }));
}

export function statSync(p: string): { isFile(): boolean; isDirectory(): boolean; size: number } {
  const t = files.get(String(p));
  if (t === undefined && !isDir(String(p))) throw noEntry(String(p));
  return { isFile: () => t !== undefined, isDirectory: () => t === undefined, size: t?.length ?? 0 };
}

function noWrites(): never {
  throw new Error("the playground has no file system: tests in the page write no files (TRACE= and LABS_RESULTS= are for the command line)");
}

export const writeFileSync = noWrites;
export const appendFileSync = noWrites;
export const mkdirSync = noWrites;
export const renameSync = noWrites;
export const openSync = noWrites;
export const writeSync = noWrites;
export const closeSync = noWrites;
export const mkdtempSync = noWrites;

export default { readFileSync, existsSync, readdirSync, statSync, writeFileSync, appendFileSync, mkdirSync, renameSync, openSync, writeSync, closeSync, mkdtempSync };
