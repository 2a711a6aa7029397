import { expect, test } from "vitest";
import { cgroupCpuLimit, defaultWorkers } from "./cpu-quota.js";

// Workers follow the container's CPU quota, not the host's core count.

const files = (m: Record<string, string>) => (f: string): string | undefined => m[f];

test("cgroup v2: cpu.max of the process's own cgroup, or 'max' for no limit", () => {
  const self = "0::/grading/job7\n";
  expect(cgroupCpuLimit(files({ "/proc/self/cgroup": self, "/sys/fs/cgroup/grading/job7/cpu.max": "150000 100000\n" }))).toBe(1.5);
  expect(cgroupCpuLimit(files({ "/proc/self/cgroup": self, "/sys/fs/cgroup/grading/job7/cpu.max": "max 100000\n" }))).toBeUndefined();
  // A container sees its own cgroup as the root of the mount.
  expect(cgroupCpuLimit(files({ "/proc/self/cgroup": "0::/\n", "/sys/fs/cgroup/cpu.max": "200000 100000\n" }))).toBe(2);
});

test("cgroup v1: cfs_quota_us / cfs_period_us, -1 for no limit", () => {
  const self = "4:memory:/x\n2:cpu,cpuacct:/docker/abc\n";
  const v1 = (quota: string) =>
    files({ "/proc/self/cgroup": self, "/sys/fs/cgroup/cpu/docker/abc/cpu.cfs_quota_us": quota, "/sys/fs/cgroup/cpu/docker/abc/cpu.cfs_period_us": "100000\n" });
  expect(cgroupCpuLimit(v1("400000\n"))).toBe(4);
  expect(cgroupCpuLimit(v1("-1\n"))).toBeUndefined();
  expect(cgroupCpuLimit(files({}))).toBeUndefined();
});

test("default workers: the cores this process may use, capped by the quota, at least one", () => {
  expect(defaultWorkers(undefined, 64)).toBe(64);
  expect(defaultWorkers(2, 64)).toBe(2);
  expect(defaultWorkers(1.5, 64)).toBe(1);
  expect(defaultWorkers(0.5, 64)).toBe(1);
  expect(defaultWorkers(8, 4)).toBe(4);
});
