import { z } from "zod";

// Messages between the many-seeds parent (seed-pool.ts) and a worker (seed-worker.ts)
// over the fork IPC channel. The parent checks everything it receives: a worker runs
// submitted code, so its messages are untrusted input.

/** Parent → worker, first message: who you are and what to load. */
export const helloSchema = z.object({
  type: z.literal("hello"),
  /** A fresh secret per worker; every answer must carry it. */
  nonce: z.string().min(16),
  /** Test files to load, relative to the worker's cwd. */
  files: z.array(z.string()),
  /**
   * The worker runs as a uid of its own (process-family.ts): should the parent die, its
   * guard kills every process of that uid, not only its own process group.
   */
  isolated: z.boolean().optional(),
  /**
   * False: load student files as plain modules, outside the sandbox. Only for measuring
   * what the boundary costs (grade-cli.ts --no-boundary); default (absent) true.
   */
  sandbox: z.boolean().optional(),
});
export type Hello = z.infer<typeof helloSchema>;

/** Parent → worker: run one test with one seed. */
export const jobSchema = z.object({
  type: z.literal("job"),
  id: z.number().int().nonnegative(),
  test: z.string(),
  seed: z.number().int().positive(),
  /** Simulated worlds: virtual-time limit (ms). */
  limitMs: z.number().positive(),
  /** Hash the whole trace and send the digest back (replay checks). */
  hash: z.boolean().optional(),
  /** Run on the wall clock (REALTIME=1) instead of a simulated world. */
  realtime: z.boolean().optional(),
});
export type Job = z.infer<typeof jobSchema>;

export const parentMessageSchema = z.discriminatedUnion("type", [helloSchema, jobSchema]);

/** Worker → parent: the test files loaded (or failed to). */
export const readySchema = z.object({
  type: z.literal("ready"),
  nonce: z.string(),
  tests: z.array(z.string()),
  loadError: z.string().optional(),
});

export const recordSchema = z.object({
  name: z.string(),
  seed: z.number(),
  passed: z.boolean(),
  virtualMs: z.number().nonnegative(),
  wallMs: z.number().nonnegative(),
  /** CPU ms (user + system) the worker process used for the run: steadier than wallMs on a shared machine. */
  cpuMs: z.number().nonnegative().optional(),
  error: z.string().optional(),
  /** The failure's full message (capped), for logs and the grader's per-test output. */
  detail: z.string().optional(),
  digest: z.string().optional(),
  /** Not run: an earlier run of the same test hung, and one failure already costs its points (error says which). */
  skipped: z.literal(true).optional(),
});
export type JobRecord = z.infer<typeof recordSchema>;

/** Worker → parent: one job's record. `retire`: the worker is unfit for more jobs. */
export const resultSchema = z.object({
  type: z.literal("result"),
  nonce: z.string(),
  id: z.number().int().nonnegative(),
  record: recordSchema,
  retire: z.boolean().optional(),
});

/**
 * Worker → parent, every HEARTBEAT_MS from a timer of its main thread: the event loop still
 * turns. A run stuck in a synchronous loop sends none, and the parent stops it in seconds.
 */
export const beatSchema = z.object({
  type: z.literal("beat"),
  nonce: z.string(),
});

/** How often a worker's heartbeat goes out (wall ms). */
export const HEARTBEAT_MS = 250;

export const workerMessageSchema = z.discriminatedUnion("type", [readySchema, resultSchema, beatSchema]);
export type WorkerMessage = z.infer<typeof workerMessageSchema>;
