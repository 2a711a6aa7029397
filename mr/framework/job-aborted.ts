/** The coordinator gave up on the job (an app kept failing); the worker says why and exits 1. */
export class JobAbortedError extends Error {}
