// Starting MapReduce processes for the graded script, `make wc` and the benchmark,
// and making sure none outlives its starter: every child is tracked until it exits,
// and killAll() (also run on Ctrl-C, SIGTERM and exit) ends the ones left.
import { execa, type ResultPromise } from "execa";

export interface ProcOptions {
  cwd: string;
  /** Added to this process's environment. */
  env?: Record<string, string>;
  /** The course runs each process under `timeout -k 2s 180s`. */
  timeoutMs?: number;
  /** Name for messages, e.g. "worker 2". */
  label: string;
  /** node() only: Node options before the script (the permission model's, for student code). */
  nodeFlags?: readonly string[];
}

export interface ProcResult {
  label: string;
  exitCode?: number;
  signal?: string;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

export interface Proc {
  readonly pid: number | undefined;
  readonly label: string;
  /** Settles when the process has exited, never rejects. */
  readonly done: Promise<ProcResult>;
}

export const PROCESS_LIMIT_MS = 180_000;

const everyGroup = new Set<ProcessGroup>();
let hooked = false;

/** Kills every live child of every group, synchronously: fit for exit and signal handlers. */
export function killEverything(): void {
  for (const g of everyGroup) g.killAllNow();
}

function installHooks(): void {
  if (hooked) return;
  hooked = true;
  process.on("exit", killEverything);
  for (const [sig, code] of [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]] as const) {
    process.on(sig, () => {
      killEverything();
      process.exit(code);
    });
  }
}

export class ProcessGroup {
  private readonly live = new Map<ResultPromise, string>();
  /** Set by dispose(): a test stopped early must not start processes for the next one. */
  private closed = false;

  constructor() {
    installHooks();
    everyGroup.add(this);
  }

  /** @throws Error once the group is disposed (a stopped test's leftover tasks). */
  start(file: string, args: string[], o: ProcOptions): Proc {
    if (this.closed) throw new Error(`process group closed: ${o.label} not started`);
    const child = execa(file, args, {
      cwd: o.cwd,
      env: o.env,
      extendEnv: true,
      timeout: o.timeoutMs ?? PROCESS_LIMIT_MS,
      forceKillAfterDelay: 2000,
      reject: false,
      stdin: "ignore",
      stripFinalNewline: false,
    });
    this.live.set(child, o.label);
    const done = child.then(
      (r): ProcResult => ({
        label: o.label,
        exitCode: r.exitCode,
        signal: r.signal,
        timedOut: r.timedOut,
        stdout: String(r.stdout ?? ""),
        stderr: String(r.stderr ?? ""),
      }),
      (e: unknown): ProcResult => ({ label: o.label, timedOut: false, stdout: "", stderr: String(e) }),
    );
    void done.finally(() => this.live.delete(child));
    return { pid: child.pid, label: o.label, done };
  }

  /** Runs a compiled program or script with this Node. */
  node(script: string, args: string[], o: ProcOptions): Proc {
    return this.start(process.execPath, [...(o.nodeFlags ?? []), script, ...args], o);
  }

  get running(): number {
    return this.live.size;
  }

  killAllNow(): void {
    for (const child of this.live.keys()) {
      if (child.pid !== undefined) {
        try {
          process.kill(child.pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    }
  }

  /** Kills what is left and waits until every child has been reaped. */
  async killAll(): Promise<void> {
    const left = [...this.live.keys()];
    this.killAllNow();
    await Promise.allSettled(left);
  }

  /** Forget this group after its children are gone. */
  async dispose(): Promise<void> {
    this.closed = true;
    await this.killAll();
    everyGroup.delete(this);
  }
}

/** One line per process that did not exit cleanly, for failure reports. */
export function describeExit(r: ProcResult): string {
  const how = r.timedOut ? "timed out" : r.signal !== undefined ? `killed by ${r.signal}` : `exit status ${r.exitCode ?? "?"}`;
  // An uncaught error's message comes first and Node's version line last: keep the start.
  const err = r.stderr.trim().split("\n").filter((l) => l.trim() !== "").slice(0, 4).join(" | ");
  return `${r.label}: ${how}${err === "" ? "" : `: ${err}`}`;
}
