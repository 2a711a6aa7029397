// `make benchmarks [ONLY='labrpc raft'] [MD_ONLY=1]`: run the bench scripts, each merging its
// table into docs/benchmarks/<id>.json, then generate BENCHMARKS.md's tables from all of
// them (benchmarks-md.ts). A table not measured this time keeps its rows, with the commit
// and load they were measured at. MD_ONLY=1 only regenerates the Markdown.
import path from "node:path";
import { Command } from "commander";
import { execa } from "execa";
import { FIGURES_DIR, FiguresError, writeBenchmarksMd } from "./benchmarks-md.js";

interface Bench {
  id: string;
  /** The script and its arguments (tsx runs it; --json is added). */
  argv: string[];
  env?: Record<string, string>;
}

/** Each table's standard measurement: the settings its earlier figures were taken with. */
export const BENCHES: readonly Bench[] = [
  { id: "labrpc", argv: ["labrpc/bench.ts"] },
  { id: "mr", argv: ["mr/framework/bench.ts"] },
  { id: "raft", argv: ["raft/framework/bench.ts"], env: { SEED: "1" } },
  { id: "kvraft", argv: ["kvraft/framework/bench.ts", "--seed", "1"] },
  { id: "shardkv", argv: ["shardkv/framework/bench.ts", "--seed", "7"] },
  { id: "porcupine", argv: ["porcupine/bench.ts"] },
  { id: "vis", argv: ["labs-test/vis/bench.ts", "--synthetic", "200000"] },
  { id: "loop", argv: ["labs-test/tools/loop-bench.ts"] },
  { id: "playground", argv: ["playground/bench.ts", "--part", "2B", "--seed", "1"] },
];

async function main(): Promise<void> {
  const o = new Command("benchmarks")
    .option("--only <ids>", `some of the tables (space or comma separated): ${BENCHES.map((b) => b.id).join(" ")}`)
    .option("--md-only", "run nothing; regenerate BENCHMARKS.md from docs/benchmarks/*.json")
    .parse()
    .opts<{ only?: string; mdOnly?: boolean }>();
  const only = (o.only ?? "").split(/[\s,]+/).filter((x) => x !== "");
  const unknown = only.filter((id) => !BENCHES.some((b) => b.id === id));
  if (unknown.length > 0) {
    process.stderr.write(`error: no bench ${unknown.join(", ")}; the benches: ${BENCHES.map((b) => b.id).join(" ")}\n`);
    process.exit(2);
  }
  const failed: string[] = [];
  if (o.mdOnly !== true) {
    for (const b of BENCHES.filter((x) => only.length === 0 || only.includes(x.id))) {
      process.stdout.write(`\n===== ${b.id}: ${b.argv.join(" ")} =====\n`);
      const r = await execa("tsx", [...b.argv, "--json", path.join(FIGURES_DIR, `${b.id}.json`)], {
        env: b.env,
        stdio: "inherit",
        reject: false,
        preferLocal: true,
      });
      if (r.exitCode !== 0) failed.push(`${b.id} (exit ${r.exitCode ?? r.signal})`);
    }
  }
  try {
    const tables = writeBenchmarksMd();
    process.stdout.write(`\nBENCHMARKS.md: ${tables.length} tables (${tables.map((t) => t.id).join(" ")})\n`);
  } catch (e) {
    if (!(e instanceof FiguresError)) throw e;
    process.stderr.write(`error: ${e.message}\n`);
    process.exit(2);
  }
  if (failed.length > 0) {
    process.stderr.write(`failed: ${failed.join(", ")} (a table whose script failed may hold its failing run's figures: see its rows)\n`);
    process.exit(1);
  }
}

await main();
