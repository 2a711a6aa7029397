// How many CPUs this process may really use: a container (Gradescope's, a CI runner's, a
// Slurm job's cgroup) often shows the host's cores but allows only a share of them. Workers
// beyond the share do not run faster, they only take longer each, and a test's wall limits
// then bite sooner. The share comes from the cgroup's CPU bandwidth limit: cgroup v2's
// cpu.max ("quota period", or "max" for none), or v1's cpu.cfs_quota_us / cpu.cfs_period_us
// (-1 for none), and the cores this process may be scheduled on (availableParallelism).
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";

/** The CPU share a cgroup bandwidth limit allows (e.g. 1.5), or undefined for none. */
export function cgroupCpuLimit(read: (file: string) => string | undefined = readText): number | undefined {
  // v2: the process's own cgroup, then the root of the mount (a container's namespace root).
  const v2Path = cgroupPath(read, "");
  for (const dir of [v2Path, ""].filter((d): d is string => d !== undefined)) {
    const max = read(`/sys/fs/cgroup${dir}/cpu.max`);
    if (max === undefined) continue;
    const [quota, period] = max.trim().split(/\s+/);
    if (quota === "max") return undefined;
    const q = Number(quota);
    const p = Number(period ?? "100000");
    if (q > 0 && p > 0) return q / p;
  }
  // v1
  const v1Path = cgroupPath(read, "cpu") ?? "";
  for (const dir of [v1Path, ""]) {
    const quota = read(`/sys/fs/cgroup/cpu${dir}/cpu.cfs_quota_us`) ?? read(`/sys/fs/cgroup/cpu,cpuacct${dir}/cpu.cfs_quota_us`);
    const period = read(`/sys/fs/cgroup/cpu${dir}/cpu.cfs_period_us`) ?? read(`/sys/fs/cgroup/cpu,cpuacct${dir}/cpu.cfs_period_us`);
    if (quota === undefined || period === undefined) continue;
    const q = Number(quota.trim());
    const p = Number(period.trim());
    if (q > 0 && p > 0) return q / p;
    return undefined;
  }
  return undefined;
}

/**
 * This process's cgroup path for a v1 controller (e.g. "cpu"), or for v2 (controller ""),
 * from /proc/self/cgroup; undefined when not listed.
 */
function cgroupPath(read: (file: string) => string | undefined, controller: string): string | undefined {
  const text = read("/proc/self/cgroup");
  if (text === undefined) return undefined;
  for (const line of text.split("\n")) {
    const [, controllers, p] = line.split(":");
    if (controllers === undefined || p === undefined) continue;
    const list = controllers.split(",");
    if (controller === "" ? controllers === "" : list.includes(controller)) return p === "/" ? "" : p;
  }
  return undefined;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/**
 * Worker processes to run at once by default: the cores this process may run on, capped by
 * the cgroup's CPU limit (rounded down, at least 1).
 */
export function defaultWorkers(limit: number | undefined = cgroupCpuLimit(), cores = availableParallelism()): number {
  return Math.max(1, Math.min(cores, limit === undefined ? cores : Math.floor(limit)));
}
