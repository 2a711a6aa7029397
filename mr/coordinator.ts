// The MapReduce coordinator: hands out map tasks (one per input file), then reduce
// tasks (nReduce of them), and notices when the whole job is done.
import { serve, type RpcServer } from "./transport/server.js";
import type { Handlers } from "./transport/methods.js";
import { rpcMethods, type ExampleArgs, type ExampleReply, type RpcMethods } from "./rpc.js";
// SOLUTION BEGIN
import { RealClock } from "../runtime/real-clock.js";
import type { ReportArgs, ReportReply, TaskArgs, TaskReply } from "./rpc.js";

/** A task not finished this long after it was handed out goes to another worker. */
export const TASK_TIMEOUT_MS = 10_000;
/** App code that throws this many times on one task ends the job. */
export const MAX_TASK_FAILURES = 3;

interface TaskState {
  status: "idle" | "running" | "done";
  /** When it was last handed out (clock ms). */
  startedAt: number;
  failures: number;
}

function freshTasks(n: number): TaskState[] {
  return Array.from({ length: n }, () => ({ status: "idle" as const, startedAt: 0, failures: 0 }));
}
// SOLUTION END

export class Coordinator implements Handlers<RpcMethods> {
  server?: RpcServer;
  // Your definitions here.
  // SOLUTION BEGIN
  private readonly clock = new RealClock();
  private readonly mapTasks: TaskState[];
  private readonly reduceTasks: TaskState[];
  private mapsLeft: number;
  private reducesLeft: number;
  private abortReason?: string;
  // SOLUTION END

  constructor(
    readonly files: string[],
    readonly nReduce: number,
  ) {
    // SOLUTION BEGIN
    this.mapTasks = freshTasks(files.length);
    this.reduceTasks = freshTasks(nReduce);
    this.mapsLeft = files.length;
    this.reducesLeft = nReduce;
    // SOLUTION END
  }

  // Your code here -- RPC handlers for the worker to call.

  /** An example RPC handler. */
  Example(args: ExampleArgs): ExampleReply {
    return { Y: args.X + 1 };
  }

  // SOLUTION BEGIN
  RequestTask(_args: TaskArgs): TaskReply {
    if (this.abortReason !== undefined) return { Kind: "exit", Aborted: this.abortReason };
    if (this.mapsLeft > 0) {
      const i = this.claim(this.mapTasks);
      return i < 0 ? { Kind: "wait" } : { Kind: "map", Task: i, File: this.files[i]!, NReduce: this.nReduce };
    }
    if (this.reducesLeft > 0) {
      const i = this.claim(this.reduceTasks);
      return i < 0 ? { Kind: "wait" } : { Kind: "reduce", Task: i, NMap: this.files.length };
    }
    return { Kind: "exit" };
  }

  ReportTask(args: ReportArgs): ReportReply {
    const tasks = args.Kind === "map" ? this.mapTasks : this.reduceTasks;
    const t = tasks[args.Task];
    if (t === undefined) throw new Error(`there is no ${args.Kind} task ${args.Task}`);
    // A late report from a worker we gave up on is still good news: its output was
    // renamed into place before it reported, and it is the same output.
    if (t.status === "done") return {};
    if (args.Error === undefined) {
      t.status = "done";
      if (args.Kind === "map") this.mapsLeft--;
      else this.reducesLeft--;
      return {};
    }
    t.failures++;
    t.status = "idle";
    const what = args.Kind === "map" ? `map task ${args.Task} (${this.files[args.Task]})` : `reduce task ${args.Task}`;
    process.stderr.write(`coordinator: ${what} failed on worker ${args.Worker}: ${args.Error}\n`);
    if (t.failures >= MAX_TASK_FAILURES) {
      this.abortReason = `${what} failed ${t.failures} times; last error: ${args.Error}`;
    }
    return {};
  }

  /** Picks an idle task, or one whose worker has been silent too long; -1 if none. */
  private claim(tasks: TaskState[]): number {
    const now = this.clock.now();
    const i = tasks.findIndex((t) => t.status === "idle" || (t.status === "running" && now - t.startedAt >= TASK_TIMEOUT_MS));
    if (i >= 0) {
      tasks[i]!.status = "running";
      tasks[i]!.startedAt = now;
    }
    return i;
  }
  // SOLUTION END

  /** Why the job failed, once it has; mrcoordinator exits non-zero with this text. */
  failure(): string | undefined {
    let reason: string | undefined;
    // SOLUTION BEGIN
    reason = this.abortReason;
    // SOLUTION END
    return reason;
  }

  /** mrcoordinator calls done() periodically to find out if the entire job has finished. */
  done(): boolean {
    let ret = false;
    // Your code here.
    // SOLUTION BEGIN
    ret = this.abortReason !== undefined || (this.mapsLeft === 0 && this.reducesLeft === 0);
    // SOLUTION END
    return ret;
  }
}

/**
 * Creates a Coordinator and starts serving RPCs. mrcoordinator calls this with the input
 * files (one map task each) and nReduce, the number of reduce tasks to use.
 */
export async function MakeCoordinator(files: string[], nReduce: number): Promise<Coordinator> {
  const c = new Coordinator(files, nReduce);
  // Your code here.
  c.server = await serve(rpcMethods, c);
  return c;
}
