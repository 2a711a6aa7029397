// A check runs synchronously and can take seconds on a large history. A host that watches
// for a stuck event loop (the grader's test workers send a heartbeat from theirs) registers
// a listener here, and the search calls it while it works, every few thousand steps, so
// that a long check is not mistaken for a test stuck in a loop.

let listener: (() => void) | undefined;

/** Call fn while a check works (undefined: stop). One listener; it must be cheap. */
export function onCheckProgress(fn: (() => void) | undefined): void {
  listener = fn;
}

/** The search is still working (called from its polling of the time budget). */
export function checkProgress(): void {
  listener?.();
}
