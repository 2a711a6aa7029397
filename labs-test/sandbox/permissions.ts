// Node's permission model (node --experimental-permission, Node 20) for processes that run
// submitted code: the second wall behind the compartment for the simulated labs, and the
// only one for Lab 1's coordinator and workers, which are real processes. A process gets
// read access to what it needs, write access to its scratch folders only, and no child
// processes (no --allow-child-process). Worker threads stay allowed: Node's module hooks
// (tsx, the sandbox's stand-in modules) run on one, and student code can reach neither
// `worker_threads` nor `process`.

/**
 * Flags for `node` (before the script): read `readable` (files or folders, absolute),
 * write `writable`, nothing else. Worker threads stay allowed unless `workerThreads` is
 * false (Lab 1's programs are plain JavaScript and need no module hooks).
 */
export function permissionFlags(readable: readonly string[], writable: readonly string[], { workerThreads = true }: { workerThreads?: boolean } = {}): string[] {
  // Each path once: Node 20 aborts at start-up (an assertion in its permission tree) when a
  // path is given twice, as a folder and the real path of a link to it can be.
  const once = (paths: readonly string[]): string[] => [...new Set(paths)];
  return [
    "--experimental-permission",
    ...once(readable).map((p) => `--allow-fs-read=${p}`),
    ...once(writable).map((p) => `--allow-fs-write=${p}`),
    ...(workerThreads ? ["--allow-worker"] : []),
    // The permission model's experimental warnings would fill every log.
    "--no-warnings",
  ];
}
