// LABS_TIMING=1: where a run's time goes. Each mark is one line on stderr,
// `labs-timing <ms> <pid> cpu=<ms> <what>`: ms on the machine's monotonic clock (the same in
// every process, so the lines of the runner and of vitest's workers sort into one
// timeline) and the CPU ms this process has used so far. The loop benchmark
// (loop-bench.ts) reads them; without LABS_TIMING nothing is printed.
import { machineMs } from "../../runtime/machine-clock.js";

const on = process.env.LABS_TIMING === "1";

/** Print a mark (only under LABS_TIMING=1). */
export function mark(what: string): void {
  if (!on) return;
  const u = process.cpuUsage();
  process.stderr.write(`labs-timing ${machineMs().toFixed(1)} ${process.pid} cpu=${((u.user + u.system) / 1000).toFixed(0)} ${what}\n`);
}
