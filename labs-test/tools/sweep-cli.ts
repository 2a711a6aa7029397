// `make sweep-XX SEEDS=a..b [SHARD=i/n] [OUT=dir]`: many seeds of one or more parts in
// long-lived workers (see sweep.ts).
import { randomInt } from "node:crypto";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { EnvError } from "../harness/env.js";
import { findPart, PARTS } from "../labs.js";
import { SelectError } from "./select-tests.js";
import { sweep, sweepOptionsFromEnv, type SweepOptions } from "./sweep.js";
import { PlanError } from "./work-plan.js";

function fail(msg: string): never {
  process.stderr.write(`error: ${msg}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  const ids = process.argv.slice(2);
  if (ids.length === 0) fail(`usage: sweep.ts <part…>; parts: ${PARTS.map((p) => p.id).join(" ")}`);
  const parts = ids.map((id) => findPart(id) ?? fail(`unknown part ${id}; parts: ${PARTS.map((p) => p.id).join(" ")}`));
  const logDir = path.join(".labs-runs", `sweep-${process.pid}-${randomInt(1e9)}`);
  let o: SweepOptions;
  try {
    o = sweepOptionsFromEnv(parts, logDir);
  } catch (e) {
    if (e instanceof EnvError || e instanceof PlanError || e instanceof SelectError) fail(e.message);
    throw e;
  }
  mkdirSync(logDir, { recursive: true });
  const r = await sweep(o);
  process.stdout.write(`${r.records.length - r.failed} passed, ${r.failed} failed\n`);
  process.exit(r.failed === 0 ? 0 : 1);
}

await main();
