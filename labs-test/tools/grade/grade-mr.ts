import { spawn } from "node:child_process";
import { closeSync, openSync, readSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { execa } from "execa";
import { z } from "zod";
import { RealClock } from "../../../runtime/real-clock.js";
import { firstLineOf } from "../../harness/safe-text.js";
import type { LabPart } from "../../labs.js";
import { ProcessFamily, type Isolation } from "../process-family.js";
import type { JobRecord } from "../seed-protocol.js";

// Lab 1 runs real processes in real time with its own script (the part's test file), so
// it is graded by running that script once per planned run. MapReduce has no seeds: run
// k is recorded under the plan's k-th seed, only to keep one record per (test, run).
//
// The script starts detached (its own process group, as the grade's workers' uid when
// there is one) and is stopped with everything it started (process-family.ts). Its
// outcomes come back in a file of the grade's scratch folder, which the processes it
// starts with submitted code cannot write (they may write only their job folder: Node's
// permission model, mr/main/test-mr-confine.ts), read once all of them are gone. (Not a
// pipe at fd 3: Node's "pipe" is a socket, which /dev/fd/3 cannot open.) Its output is
// kept up to a cap.

const outcomesSchema = z.array(z.object({ name: z.string(), passed: z.boolean(), seconds: z.number() }));

/** Bytes read of the outcomes pipe, and kept of the script's output (its tail goes into a failure's text). */
const OUTCOMES_CAP = 1024 * 1024;
const OUTPUT_TAIL = 4000;

const PREBUILD = 'import("./mr/framework/build.ts").then((m) => m.buildMr()).catch((e) => { console.error(e.message); process.exit(1); })';

const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

export interface MrOptions {
  tree: string;
  part: LabPart;
  seeds: number[];
  /** Wall ms one run of the whole script may take. */
  runWallMs: number;
  env: NodeJS.ProcessEnv;
  /** A folder the script may write (as the workers' uid) and its student processes may not: its results go there. */
  resultsDir: string;
  isolation?: Isolation;
  /** Processes that had left the script's process group were found and killed. */
  onEscaped?: (count: number) => void;
}

/**
 * Compile the MapReduce programs in the tree as this (trusted) process: under isolation
 * the script may not write the tree. tsc reads the student files; it runs none of them.
 */
async function prebuild(tree: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const r = await execa(process.execPath, ["--import", tsxLoader, "-e", PREBUILD], {
    cwd: tree,
    env,
    extendEnv: false,
    reject: false,
    all: true,
    timeout: 300_000,
  });
  return r.exitCode === 0 ? undefined : `the MapReduce programs do not build:\n${(r.all ?? "").slice(0, 4000)}`;
}

/** One run of the script: its outcomes (or why there are none) and the tail of its output. */
function runScript(o: MrOptions, family: ProcessFamily, run: number): Promise<{ outcomes?: unknown; why?: string; tail: string }> {
  const json = path.join(o.resultsDir, `mr-results-${run}.json`);
  rmSync(json, { force: true });
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", tsxLoader, o.part.testFiles[0]!, "--json", json], {
      cwd: o.tree,
      env: o.env,
      detached: true,
      uid: o.isolation?.uid,
      gid: o.isolation?.gid,
      stdio: ["ignore", "pipe", "pipe"],
    });
    if (child.pid !== undefined) family.add(child.pid);
    let tail = "";
    const keep = (b: Buffer): void => {
      tail = (tail + b.toString("utf8")).slice(-OUTPUT_TAIL);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    const clock = new RealClock();
    let timedOut = false;
    clock.after(o.runWallMs, () => {
      timedOut = true;
      if (child.pid !== undefined) family.stop(child.pid);
    });
    child.on("error", () => {});
    child.on("close", () => {
      clock.stop();
      if (child.pid !== undefined) {
        const r = family.stop(child.pid);
        if (r.escaped > 0) o.onEscaped?.(r.escaped);
      }
      // Every process of the run is gone now: nothing can change the file while it is read.
      let outcomes: unknown;
      try {
        outcomes = JSON.parse(readCapped(json, OUTCOMES_CAP));
      } catch {
        outcomes = undefined;
      }
      const why = timedOut ? `the MapReduce tests took longer than ${o.runWallMs / 1000} s` : outcomes === undefined ? `the MapReduce test script ended without results` : undefined;
      resolve({ outcomes, why, tail });
    });
  });
}

/** The file's text, or an error if it is missing or longer than cap bytes. */
function readCapped(file: string, cap: number): string {
  const fd = openSync(file, "r");
  try {
    const buf = Buffer.alloc(cap + 1);
    let n = 0;
    for (let got = 1; got > 0 && n <= cap; n += got) got = readSync(fd, buf, n, cap + 1 - n, null);
    if (n > cap) throw new Error(`${file} is longer than ${cap} bytes`);
    return buf.subarray(0, n).toString("utf8");
  } finally {
    closeSync(fd);
  }
}

/** One record per mr test per run; a run whose script died or overran fails every test. */
export async function gradeMr(o: MrOptions): Promise<JobRecord[]> {
  const records: JobRecord[] = [];
  const family = new ProcessFamily(o.isolation);
  const unbuilt = await prebuild(o.tree, o.env);
  try {
    for (const [k, seed] of o.seeds.entries()) {
      const wall = new RealClock();
      const run = unbuilt === undefined ? await runScript(o, family, k) : { why: unbuilt, tail: "" };
      const parsed = outcomesSchema.safeParse(run.outcomes);
      const outcomes = parsed.success ? parsed.data : [];
      const why = run.why ?? (parsed.success ? undefined : "the MapReduce test script wrote malformed results");
      for (const name of o.part.tests) {
        const found = outcomes.find((x) => x.name === name);
        const ms = found !== undefined ? found.seconds * 1000 : wall.now();
        const error = found === undefined ? (why ?? "the test did not run") : found.passed ? undefined : `${name} test: FAIL`;
        records.push({
          name,
          seed,
          passed: found?.passed === true,
          virtualMs: ms,
          wallMs: ms,
          error: error === undefined ? undefined : firstLineOf(error),
          detail: error === undefined ? undefined : `${error}\n${run.tail}`,
        });
      }
      wall.stop();
    }
  } finally {
    const r = family.stopAll();
    if (r.escaped > 0) o.onEscaped?.(r.escaped);
  }
  return records;
}
