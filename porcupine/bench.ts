// Times the checker on the Go porcupine's test histories (test-data/kv) and on large
// generated KV histories: `npx tsx porcupine/bench.ts`. With --file it checks a recorded
// history instead (a JSON array of KvOperation, e.g. written by a kv harness with
// JSON.stringify(opLog), or a .txt kv log). --markdown, --json FILE: the table for
// BENCHMARKS.md (labs-test/tools/bench-report.ts), one row per history.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { BenchReport, benchCommand, REPORT_OPTIONS } from "../labs-test/tools/bench-report.js";
import { RealClock } from "../runtime/real-clock.js";
import { checkOperations } from "./checker.js";
import { corruptOneRead, generateKvHistory, type KvHistoryShape } from "./kv-history-gen.js";
import { parseKvLog } from "./kv-log.js";
import { kvModel, type KvOperation } from "./kv-model.js";

const { values: args } = parseArgs({
  options: {
    file: { type: "string" },
    timeout: { type: "string", default: "60000" },
    seed: { type: "string", default: "1" },
    ...REPORT_OPTIONS,
  },
});
const timeoutMs = Number(args.timeout);
const seed = Number(args.seed);

const report = new BenchReport(
  {
    id: "porcupine",
    lab: "porcupine (the linearizability checker)",
    caption:
      "The checker on generated key/value histories of the suite's shapes and harsher ones (seeded), each also with one read changed so that it is not linearizable; wall ms of one check.",
    columns: ["history", "ops", "keys", "result", "ms", "one read changed: result", "ms"],
  },
  benchCommand("porcupine/bench.ts"),
);

interface Checked {
  result: string;
  ms: number;
  partitions: number;
}

function run(name: string, history: KvOperation[]): Checked {
  const clock = new RealClock();
  const out = checkOperations(kvModel, history, timeoutMs);
  const ms = clock.now();
  const parts = out.info.partitions;
  const biggest = Math.max(0, ...parts.map((p) => p.ops.length));
  const slowest = Math.max(0, ...parts.map((p) => p.ms));
  const steps = parts.reduce((a, p) => a + p.steps, 0);
  console.log(
    `${name.padEnd(46)} ops=${String(history.length).padStart(6)} partitions=${String(parts.length).padStart(3)} ` +
      `largest=${String(biggest).padStart(6)} steps=${String(steps).padStart(8)} ` +
      `result=${out.result.padEnd(7)} ${ms.toFixed(1).padStart(8)} ms (slowest partition ${slowest.toFixed(1)} ms)`,
  );
  return { result: out.result, ms, partitions: parts.length };
}

if (args.file !== undefined) {
  const text = readFileSync(args.file, "utf8");
  const history = args.file.endsWith(".txt") ? parseKvLog(text) : (JSON.parse(text) as KvOperation[]);
  const c = run(args.file, history);
  report.row([args.file, history.length, c.partitions, c.result, c.ms.toFixed(0), "", ""]);
} else {
  const dataDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "test-data", "kv");
  for (const name of ["c01-ok", "c01-bad", "c10-ok", "c10-bad", "c50-ok", "c50-bad"]) {
    const history = parseKvLog(readFileSync(path.join(dataDir, `${name}.txt`), "utf8"));
    const c = run(`Go porcupine's ${name}`, history);
    report.row([`Go porcupine's ${name}`, history.length, c.partitions, c.result, c.ms.toFixed(0), "", ""]);
  }
  // Roughly the suite's shapes (ms-like times), then larger and harsher ones.
  const shapes: [string, Omit<KvHistoryShape, "seed">][] = [
    ["unit test: 15 cl x 400 ops, 10 keys", { clients: 15, opsPerClient: 400, keys: 10, maxDuration: 60, maxGap: 5 }],
    ["3A many clients: 5 cl x 3000, own keys", { clients: 5, opsPerClient: 3000, keys: 5, ownKey: true, putFraction: 0, maxDuration: 30, maxGap: 2 }],
    ["3A linearizable: 15 cl x 1000, 15 keys, hangs", { clients: 15, opsPerClient: 1000, keys: 15, maxDuration: 60, maxGap: 5, slowFraction: 0.05, slowDuration: 1500 }],
    ["4B unreliable: 10 cl x 1000, 10 keys", { clients: 10, opsPerClient: 1000, keys: 10, maxDuration: 100, maxGap: 5, putFraction: 0.05 }],
    ["big: 15 cl x 10000, 10 keys", { clients: 15, opsPerClient: 10000, keys: 10, maxDuration: 60, maxGap: 5 }],
    ["big own keys: 5 cl x 20000", { clients: 5, opsPerClient: 20000, keys: 5, ownKey: true, putFraction: 0, maxDuration: 3, maxGap: 1 }],
    ["harsh: 15 cl x 200, 3 keys (5 per key)", { clients: 15, opsPerClient: 200, keys: 3, maxDuration: 60, maxGap: 5 }],
    ["harsh: 15 cl x 400, 5 keys, hangs", { clients: 15, opsPerClient: 400, keys: 5, maxDuration: 60, maxGap: 5, slowFraction: 0.05, slowDuration: 1500 }],
  ];
  for (const [name, shape] of shapes) {
    const h = generateKvHistory({ seed, ...shape });
    const ok = run(name, h);
    const bad = run("  ...with one read changed", corruptOneRead(h, seed).history);
    report.row([name, h.length, ok.partitions, ok.result, ok.ms.toFixed(0), bad.result, bad.ms.toFixed(0)]);
  }
}
report.finish(args);
