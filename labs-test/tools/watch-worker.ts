// make watch-XX's resident test process: started by watch-tests.ts with `node --import tsx`
// before the student's next save, it locks the process down for the sandbox, loads the
// part's test files and everything they import once, and then runs one round of tests per
// save. A round forgets the compiled student files and evaluates them afresh from disk
// (student-modules.ts), once per test file, as a vitest worker per file would, then runs the
// file's selected tests the way vitest runs them (watch-shim.ts): each graded test prints its
// own lines, its failure report with the seed, the replay command and the timeline. Only the
// student's modules are new in a round: the harness, the framework and the tests stay loaded.
// Its stdout and stderr are the runner's; results also go back over the IPC channel.
import { readFileSync } from "node:fs";
import { register } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { RealClock } from "../../runtime/real-clock.js";
import { drainMicrotasks } from "../../runtime/sim-clock.js";
import { hasWorld } from "../../runtime/world.js";
import { describeThrown } from "../harness/describe-thrown.js";
import { firstLineOf } from "../harness/safe-text.js";
import { installSandbox } from "../sandbox/install.js";
import { forgetStudentSources, freshStudentModules, ROOT, StudentLoadError } from "../sandbox/student-modules.js";
import { studentFilesUnder } from "../sandbox/student-shims.js";
import { TranspileError, transpileStudentFile } from "../sandbox/transpile.js";
import { mark } from "./timing.js";
import { startHeartbeat, startOrphanGuard } from "./worker-lifeline.js";
import { HEARTBEAT_MS, roundSchema, type Round, type WorkerSays } from "./watch-protocol.js";

// Taken before any student code runs.
const send = process.send?.bind(process);
const parentPid = process.ppid;
if (send === undefined) {
  process.stderr.write("watch-worker: start me with an IPC channel (watch-tests.ts does)\n");
  process.exit(2);
}
const post = (m: WorkerSays): void => {
  send(m);
};

const ms = (t: number): string => `${Math.round(t)}ms`;

/** One test file's part of a round: fresh student modules, its selected tests, its summary lines. */
async function runFile(spec: Round["specs"][number], shim: typeof import("./watch-shim.js"), started: () => void): Promise<{ passed: number; failed: number }> {
  const re = spec.pattern === undefined ? undefined : new RegExp(spec.pattern);
  const chosen = shim.recorded().filter((t) => t.file === spec.file && (re === undefined || re.test(t.name)));
  if (chosen.length === 0) return { passed: 0, failed: 0 };
  try {
    freshStudentModules();
  } catch (e) {
    // vitest's way with a file that fails to load: one failure, the error, no test run.
    // A syntax error or a refused import says file:line itself; the stack would be the sandbox's.
    const text = e instanceof TranspileError || e instanceof StudentLoadError ? e.message : describeThrown(e);
    process.stdout.write(` FAIL  ${spec.file}: loading the student files failed\n${indent(text)}\n`);
    return { passed: 0, failed: 1 };
  }
  const failures: string[] = [];
  const t0 = new RealClock();
  for (const t of chosen) {
    started();
    shim.enterTest(t, path.resolve(t.file));
    const wall = new RealClock();
    try {
      await t.body();
    } catch (e) {
      failures.push(`   × ${t.name} ${ms(wall.now())}\n     → ${firstLineOf(describeThrown(e))}`);
    } finally {
      wall.stop();
    }
    await drainMicrotasks();
  }
  const failed = failures.length;
  const tests = `${chosen.length} test${chosen.length === 1 ? "" : "s"}`;
  const counts = failed === 0 ? tests : `${tests} | ${failed} failed`;
  process.stdout.write(` ${failed === 0 ? "✓" : "❯"} ${spec.file} (${counts}) ${ms(t0.now())}\n${failures.map((f) => `${f}\n`).join("")}`);
  t0.stop();
  return { passed: chosen.length - failed, failed };
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");
}

async function runRound(round: Round, shim: typeof import("./watch-shim.js")): Promise<void> {
  mark("worker round start");
  busy = true;
  // The saved files are read again; every module of theirs is evaluated again per test file.
  forgetStudentSources();
  let first = true;
  const started = (): void => {
    if (!first) return;
    first = false;
    mark("worker first test starts");
    post({ type: "started", id: round.id });
  };
  let passed = 0;
  let failed = 0;
  for (const spec of round.specs) {
    const r = await runFile(spec, shim, started);
    passed += r.passed;
    failed += r.failed;
  }
  // A world that never ended would run on into the next round: a fresh process runs that one.
  post({ type: "done", id: round.id, passed, failed, retire: hasWorld() });
  busy = false;
  void warmTranspiler();
}

let warmed = false;
/** A round is running: the warm-up gives way. */
let busy = false;

/**
 * After the first round, while the student edits: load TypeScript's transpiler and run it
 * over the student files once, so that the next save, whose file make test-XX has not
 * prepared (prepared.ts), is transpiled by a loaded, warmed-up compiler. One file per turn
 * of the event loop (the heartbeat keeps going); a round that starts ends it.
 */
async function warmTranspiler(): Promise<void> {
  if (warmed) return;
  warmed = true;
  const clock = new RealClock();
  for (const f of studentFilesUnder(ROOT)) {
    await clock.sleep(0);
    if (busy) break;
    try {
      transpileStudentFile(f, readFileSync(f, "utf8"));
    } catch {
      // A file that does not transpile says so when a round loads it.
    }
  }
  clock.stop();
  mark("worker transpiler warmed");
}

async function main(): Promise<void> {
  mark("worker loaded");
  register("./vitest-shim-hooks.ts", import.meta.url, { data: { shimUrl: new URL("./watch-shim.ts", import.meta.url).href } });
  // Before any test file, and so any student file, is loaded.
  installSandbox();
  mark("worker sandbox installed");
  // A round stuck in a loop stops the heartbeat (the runner then stops this process); a
  // runner killed outright takes this process with it.
  startHeartbeat(HEARTBEAT_MS, () => post({ type: "beat" }));
  startOrphanGuard(parentPid, false);
  const files = process.argv.slice(2);
  const shim = await import("./watch-shim.js");
  mark("worker shim loaded");
  try {
    for (const f of files) {
      shim.loadingFrom(f);
      await import(pathToFileURL(path.resolve(f)).href);
    }
  } catch (e) {
    post({ type: "loadError", text: `loading the tests failed:\n${indent(describeThrown(e))}` });
    process.exitCode = 1;
    process.disconnect();
    return;
  }
  mark("worker ready");
  post({ type: "ready" });
  // One round at a time: the runner sends the next only after this one's "done".
  process.on("message", (m: unknown) => {
    const r = roundSchema.safeParse(m);
    if (!r.success) {
      process.stderr.write(`watch-worker: a malformed message from the runner\n`);
      process.exit(2);
    }
    void runRound(r.data, shim).catch((e: unknown) => {
      // The worker's own machinery failed (it never should): say so and leave.
      process.stderr.write(`watch-worker: ${describeThrown(e)}\n`);
      process.exit(70);
    });
  });
}

// The runner gone (or done with this process): nothing more to do.
process.on("disconnect", () => process.exit(0));
await main();
