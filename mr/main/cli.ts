// What the three MapReduce programs share: expected errors become one clear line on
// stderr and exit status 1; anything else is a bug and shows its stack.
import { EndpointError } from "../transport/endpoint.js";
import { ServeError } from "../transport/server.js";
import { AppLoadError } from "../framework/plugin.js";
import { InputError } from "../framework/inputs.js";
import { AppError } from "../framework/sequential.js";
import { JobAbortedError } from "../framework/job-aborted.js";

/** An error whose message says everything; no stack trace needed. */
export class UsageError extends Error {}

const EXPECTED = [UsageError, EndpointError, ServeError, AppLoadError, InputError, AppError, JobAbortedError];

export function fail(program: string, e: unknown): never {
  const expected = EXPECTED.some((cls) => e instanceof cls);
  const text = expected ? (e as Error).message : e instanceof Error ? (e.stack ?? e.message) : String(e);
  process.stderr.write(`${program}: ${text}\n`);
  process.exit(1);
}

/** The line MR_CPU_REPORT=1 makes a program print last on stderr (read by bench:mr). */
export const CPU_REPORT = /^cpu-ms: (\d+)$/m;

/** Runs main, then exits 0; on an error, prints it and exits 1. */
export function runProgram(program: string, main: () => Promise<void>): void {
  if (process.env.MR_CPU_REPORT === "1") {
    process.once("exit", () => {
      const u = process.cpuUsage();
      process.stderr.write(`cpu-ms: ${Math.round((u.user + u.system) / 1000)}\n`);
    });
  }
  // Ctrl-C or a test's kill: exit through process.exit so "exit" hooks (socket removal) run.
  process.once("SIGINT", () => process.exit(130));
  process.once("SIGTERM", () => process.exit(143));
  main().then(
    () => process.exit(0),
    (e: unknown) => fail(program, e),
  );
}

/** Parses a positive integer option, with a message naming it. */
export function positiveInt(name: string, raw: string): number {
  const n = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || !Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(`${name} must be an integer >= 1, got ${JSON.stringify(raw)}`);
  }
  return n;
}
