import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { z } from "zod";
import { RealClock } from "../../../runtime/real-clock.js";
import type { LabPart } from "../../labs.js";
import type { JobRecord } from "../seed-protocol.js";

// Lab 1 runs real processes in real time with its own script (the part's test file), so
// it is graded by running that script once per planned run. MapReduce has no seeds: run
// k is recorded under the plan's k-th seed, only to keep one record per (test, run).

const outcomesSchema = z.array(z.object({ name: z.string(), passed: z.boolean(), seconds: z.number() }));

/** One record per mr test per run; a run whose script died or overran fails every test. */
export async function gradeMr(tree: string, part: LabPart, seeds: number[], runWallMs: number, env: NodeJS.ProcessEnv): Promise<JobRecord[]> {
  const records: JobRecord[] = [];
  // Outside the tree and fresh per run; the script (framework code) writes it at the end.
  const scratch = mkdtempSync(path.join(tmpdir(), "labs-grade-mr-"));
  try {
    for (const seed of seeds) {
      const json = path.join(scratch, `run-${seed}.json`);
      const wall = new RealClock();
      const r = await execa("node", ["--import", "tsx", part.testFiles[0]!, "--json", json], {
        cwd: tree,
        env,
        extendEnv: false,
        reject: false,
        timeout: runWallMs,
        all: true,
      });
      let outcomes: z.infer<typeof outcomesSchema> = [];
      let why: string | undefined;
      try {
        outcomes = outcomesSchema.parse(JSON.parse(readFileSync(json, "utf8")));
      } catch {
        why = r.timedOut ? `the MapReduce tests took longer than ${runWallMs / 1000} s` : `the MapReduce test script ended without results (exit ${r.exitCode})`;
      }
      for (const name of part.tests) {
        const o = outcomes.find((x) => x.name === name);
        const ms = o !== undefined ? o.seconds * 1000 : wall.now();
        const error = o === undefined ? (why ?? "the test did not run") : o.passed ? undefined : `${name} test: FAIL`;
        const tail = (r.all ?? "").slice(-2000);
        records.push({ name, seed, passed: o?.passed === true, virtualMs: ms, wallMs: ms, error, detail: error === undefined ? undefined : `${error}\n${tail}` });
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return records;
}
