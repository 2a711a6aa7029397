import { describeThrown, messageOf } from "./describe-thrown.js";

/**
 * The first failure of a test found outside the test body's own call stack: an apply
 * checker, a detached task (Go's `go func()`), or an error no one caught. Harnesses race
 * the body against `failed`, so a test fails at the moment of the bad step, even while
 * its body is asleep.
 */
export class FailureLatch {
  private failure: Error | undefined;
  private rejectFailed: (e: Error) => void = () => {};
  /** Rejects with the first failure; never resolves. */
  readonly failed: Promise<never>;
  private readonly onStray = (e: unknown): void => {
    this.fail(new Error(`uncaught error in a detached task: ${messageOf(e)}`, { cause: e }));
  };

  constructor() {
    this.failed = new Promise<never>((_, reject) => {
      this.rejectFailed = reject;
    });
    this.failed.catch(() => {}); // observed by the harness; never an unhandled rejection
    // A server loop that throws would otherwise only warn after the test; fail it instead.
    process.on("unhandledRejection", this.onStray);
    process.on("uncaughtException", this.onStray);
  }

  /** Record a failure; the first one wins. */
  fail(err: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = isError(err) ? (err as Error) : new Error(describeThrown(err), { cause: err });
    this.rejectFailed(this.failure);
  }

  /** Throw the recorded failure, if any. */
  check(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  get hasFailed(): boolean {
    return this.failure !== undefined;
  }

  /** Run a concurrent part of a test; a failure in it fails the test. Never rejects. */
  go(task: () => Promise<void>): Promise<void> {
    return task().catch((e: unknown) => this.fail(e));
  }

  /** Stop listening for stray errors (the test is over). */
  release(): void {
    process.off("unhandledRejection", this.onStray);
    process.off("uncaughtException", this.onStray);
  }
}

/** Whether v is an Error, asked without letting a hostile value (a Proxy) throw. */
function isError(v: unknown): boolean {
  try {
    return v instanceof Error;
  } catch {
    return false;
  }
}
