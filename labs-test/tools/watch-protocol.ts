import { z } from "zod";

// Messages between make watch-XX's runner (watch-tests.ts) and its resident test process
// (watch-worker.ts) over the fork IPC channel. The runner checks what it receives: the
// worker runs the student's code.

/** Runner → worker: run these tests now, with the student files as they are on disk. */
export const roundSchema = z.object({
  type: z.literal("round"),
  id: z.number().int().nonnegative(),
  /** Test files (relative to the root), in order, each with the tests of it to run. */
  specs: z.array(
    z.object({
      file: z.string(),
      /** vitest's -t: only the tests whose full names match this regex (its source); every test when absent. */
      pattern: z.string().optional(),
    }),
  ),
});
export type Round = z.infer<typeof roundSchema>;

/** Worker → runner. */
export const workerSaysSchema = z.discriminatedUnion("type", [
  /** The test files are loaded: rounds may come. */
  z.object({ type: z.literal("ready") }),
  /** The test files could not be loaded (the text says why); the worker exits. */
  z.object({ type: z.literal("loadError"), text: z.string() }),
  /** Every HEARTBEAT_MS from a timer of the main thread: the event loop still turns. */
  z.object({ type: z.literal("beat") }),
  /** The round's first test starts (the runner's type check may have the other core now). */
  z.object({ type: z.literal("started"), id: z.number() }),
  /**
   * The round is over and its results printed. retire: something of it still runs (a world
   * never ended), so this process must not run another round.
   */
  z.object({ type: z.literal("done"), id: z.number(), passed: z.number().int().nonnegative(), failed: z.number().int().nonnegative(), retire: z.boolean() }),
]);
export type WorkerSays = z.infer<typeof workerSaysSchema>;

/** How often the worker's heartbeat goes out (wall ms). */
export const HEARTBEAT_MS = 250;
