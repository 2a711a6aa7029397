// Run graded tests in this process, one seed each, the way a many-seeds worker does:
// for profiling (`node --cpu-prof --import tsx labs-test/tools/in-process.ts 3A 3B --seed 1`)
// and for timing test bodies without any process start-up in the figures.
import { register } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Command } from "commander";
import { RealClock } from "../../runtime/real-clock.js";
import { collected, startCollecting } from "../harness/registry.js";
import { runGraded } from "../harness/run-graded.js";
import { findPart } from "../labs.js";
import { limitsOf } from "./seed-pool.js";
import { selectTests } from "./select-tests.js";

const cmd = new Command("in-process")
  .argument("<parts...>", "lab parts, e.g. 3A 3B")
  .option("--seed <n>", "seed for every test", "1")
  .option("--run <regex>", "only the tests whose names match")
  .option("--hash", "print a hash of each run's whole trace (compare two versions of the code)")
  .parse();
const o = cmd.opts<{ seed: string; run?: string; hash?: boolean }>();
const parts = cmd.args.map((id) => {
  const p = findPart(id);
  if (p === undefined || p.realProcesses) throw new Error(`not a simulated lab part: ${id}`);
  return p;
});
const seed = Number(o.seed);
if (!Number.isSafeInteger(seed) || seed < 1) throw new Error(`--seed ${o.seed}: want a positive integer`);

register("./vitest-shim-hooks.ts", import.meta.url);
startCollecting();
for (const f of new Set(parts.flatMap((p) => p.testFiles))) await import(pathToFileURL(path.resolve(f)).href);

const total = new RealClock();
for (const name of selectTests(parts, o.run, (p) => p.tests)) {
  const c = collected().get(name);
  if (c === undefined || c.kind !== "graded") throw new Error(`${name} is not a graded test in the loaded files`);
  const { result } = await runGraded(name, c.body, c.opts, { seed, realtime: false, limitMs: limitsOf(parts)(name), hash: o.hash });
  process.stderr.write(`${name.padEnd(62)} ${result.passed ? "ok  " : "FAIL"} ${(result.virtualMs / 1000).toFixed(1).padStart(6)} virtual s ${(result.wallMs / 1000).toFixed(2).padStart(6)} wall s${result.digest === undefined ? "" : ` ${result.digest.slice(0, 16)}`}\n`);
}
process.stderr.write(`total wall ${(total.now() / 1000).toFixed(1)} s\n`);
