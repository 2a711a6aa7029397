// What a grade or a sweep must undo if it is interrupted (SIGINT from Ctrl-C, SIGTERM from
// a CI runner or Slurm, SIGHUP from a closed terminal): stop the worker processes, remove
// the scratch folder. Cleanups run synchronously, newest first (the workers before the
// folder they run in), then the process dies of the same signal. SIGKILL cannot be caught:
// for it, the next grade sweeps what is left (scratch.ts), and a worker's guard thread
// stops the worker once its parent is gone.

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

const cleanups: Array<() => void> = [];

function onSignal(sig: NodeJS.Signals): void {
  for (const s of SIGNALS) process.off(s, onSignal);
  for (const c of cleanups.splice(0).reverse()) {
    try {
      c();
    } catch (e) {
      process.stderr.write(`cleanup after ${sig} failed: ${e instanceof Error ? e.message : "unknown error"}\n`);
    }
  }
  process.stderr.write(`stopped by ${sig}\n`);
  process.kill(process.pid, sig);
}

/**
 * Run cleanup (synchronous) if this process is interrupted before the returned function
 * is called. Returns the function that withdraws it (call it once the work is undone the
 * ordinary way).
 */
export function onInterrupt(cleanup: () => void): () => void {
  if (cleanups.length === 0) for (const s of SIGNALS) process.on(s, onSignal);
  cleanups.push(cleanup);
  return () => {
    const i = cleanups.indexOf(cleanup);
    if (i >= 0) cleanups.splice(i, 1);
    if (cleanups.length === 0) for (const s of SIGNALS) process.off(s, onSignal);
  };
}
