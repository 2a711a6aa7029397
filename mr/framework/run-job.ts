// One MapReduce job as separate processes: a coordinator and n workers in one folder,
// timed. Used by `make wc` and the benchmark (the graded script paces its own).
import { rmSync } from "node:fs";
import { RealClock } from "../../runtime/real-clock.js";
import { coordinatorSock } from "../transport/endpoint.js";
import { describeExit, type ProcessGroup, type ProcResult } from "./launch.js";
import { programPath } from "./paths.js";

export interface JobSpec {
  /** Working folder: intermediate and output files go here. */
  dir: string;
  /** Absolute input paths. */
  inputs: string[];
  /** App path, as mrworker takes it. */
  app: string;
  workers: number;
  nReduce: number;
  group: ProcessGroup;
  /** Added to the programs' environment. */
  env?: Record<string, string>;
}

export interface JobResult {
  /** From starting the coordinator until the last worker exited: the output is final. */
  jobMs: number;
  /** Until the coordinator exited too (it lingers a second or two after done). */
  totalMs: number;
  /** One line per process that failed; empty when all exited 0. */
  failures: string[];
  /** Every process's results, coordinator first. */
  results: ProcResult[];
}

let jobs = 0;

/** How long (wall ms) a worker started beside the coordinator keeps trying to reach it. */
const WORKER_WAIT_MS = 30_000;

export async function runJob(spec: JobSpec): Promise<JobResult> {
  const socket = `${coordinatorSock()}-job${process.pid}-${++jobs}`;
  const clock = new RealClock();
  try {
    const c = spec.group.node(
      programPath("mrcoordinator"),
      ["--socket", socket, "--nreduce", String(spec.nReduce), ...spec.inputs],
      { cwd: spec.dir, label: "mrcoordinator", env: spec.env },
    );
    // Workers wait (boundedly) for the socket, so they can start right away. They start
    // with the coordinator rather than after it, so they wait longer than mrworker's default:
    // on a loaded machine the coordinator's start alone can take more than its 3 s.
    const ws = Array.from({ length: spec.workers }, (_, i) =>
      spec.group.node(programPath("mrworker"), ["--socket", socket, "--wait", String(WORKER_WAIT_MS), spec.app], { cwd: spec.dir, label: `mrworker ${i + 1}`, env: spec.env }),
    );
    const workerResults = await Promise.all(ws.map((w) => w.done));
    const jobMs = clock.now();
    const coordinator = await c.done;
    const totalMs = clock.now();
    const failures = [coordinator, ...workerResults].filter((r: ProcResult) => r.exitCode !== 0).map(describeExit);
    return { jobMs, totalMs, failures, results: [coordinator, ...workerResults] };
  } finally {
    clock.stop();
    rmSync(socket, { force: true });
  }
}
