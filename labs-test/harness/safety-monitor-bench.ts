// What the safety monitors cost: runs the graded tests of the given parts with monitors on
// and off, seed by seed, alternating which goes first, in one process, and prints the CPU
// each took and the ratio. One process and interleaved runs, so that a shared machine's
// load falls on both sides alike. Tracing is off, as in the many-seeds runner and the
// grader, so that the monitors' share is not diluted by the tracer's. With --hash every run
// also hashes its whole trace, and both sides of a seed must end with the same hash (the
// monitors only observe).
//   node --import tsx labs-test/harness/safety-monitor-bench.ts 2A 2B 2C 2D --seeds 5 >/dev/null
// (stdout has the tests' own lines; the figures go to stderr)
import { register } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Command } from "commander";
import { processCpuMs } from "../../runtime/real-clock.js";
import { findPart } from "../labs.js";
import { limitsOf } from "../tools/seed-pool.js";
import { selectTests } from "../tools/select-tests.js";
import { collected, startCollecting } from "./registry.js";
import { runGraded } from "./run-graded.js";
import { MONITORS_OFF_ENV } from "./safety-monitor.js";

const cmd = new Command("safety-monitor-bench")
  .argument("<parts...>", "lab parts, e.g. 2A 2B 2C 2D")
  .option("--seed <n>", "first seed", "1")
  .option("--seeds <n>", "how many seeds", "3")
  .option("--run <regex>", "only the tests whose names match")
  .option("--hash", "hash each run's trace and compare the two sides")
  .parse();
const o = cmd.opts<{ seed: string; seeds: string; run?: string; hash?: boolean }>();
const parts = cmd.args.map((id) => {
  const p = findPart(id);
  if (p === undefined || p.realProcesses) throw new Error(`not a simulated lab part: ${id}`);
  return p;
});
const first = Number(o.seed);
const seeds = Number(o.seeds);
if (!Number.isSafeInteger(first) || first < 1) throw new Error(`--seed ${o.seed}: want a positive integer`);
if (!Number.isSafeInteger(seeds) || seeds < 1) throw new Error(`--seeds ${o.seeds}: want a positive integer`);

register("../tools/vitest-shim-hooks.ts", import.meta.url);
startCollecting();
for (const f of new Set(parts.flatMap((p) => p.testFiles))) await import(pathToFileURL(path.resolve(f)).href);
const names = selectTests(parts, o.run, (p) => p.tests);
const limit = limitsOf(parts);

const cpu = { on: 0, off: 0 };
let mismatches = 0;
let failures = 0;
for (let s = first; s < first + seeds; s++) {
  const order: Array<"on" | "off"> = (s - first) % 2 === 0 ? ["on", "off"] : ["off", "on"];
  for (const name of names) {
    const c = collected().get(name);
    if (c === undefined || c.kind !== "graded") throw new Error(`${name} is not a graded test in the loaded files`);
    const digests: Record<string, string | undefined> = {};
    for (const mode of order) {
      process.env[MONITORS_OFF_ENV] = mode;
      const t0 = processCpuMs();
      const { result } = await runGraded(c.name, c.body, c.opts, { seed: s, realtime: false, limitMs: limit(name), hash: o.hash === true });
      cpu[mode] += processCpuMs() - t0;
      digests[mode] = result.digest;
      if (!result.passed) {
        failures++;
        process.stderr.write(`FAIL ${name} seed ${s} monitors ${mode}: ${result.error ?? ""}\n`);
      }
    }
    if (digests.on !== digests.off) {
      mismatches++;
      process.stderr.write(`trace hash differs: ${name} seed ${s}: on ${digests.on} off ${digests.off}\n`);
    }
  }
}
delete process.env[MONITORS_OFF_ENV];
process.stderr.write(
  `${parts.map((p) => p.id).join(" ")}, seeds ${first}..${first + seeds - 1}, ${names.length} tests: ` +
    `CPU with monitors ${(cpu.on / 1000).toFixed(2)} s, without ${(cpu.off / 1000).toFixed(2)} s, ` +
    `ratio ${(cpu.on / cpu.off).toFixed(3)}; ${o.hash === true ? `trace hashes differ in ${mismatches} runs; ` : ""}${failures} failed\n`,
);
process.exitCode = mismatches > 0 || failures > 0 ? 1 : 0;
