// `make watch-XX`: the part's tests once, then again each time one of the part's student
// files (or a helper file of the student's beside them) is saved. A round: the static check
// of the student code (what the sandbox would refuse, with file:line; no test runs when it
// fails), then the tests in a resident test process that keeps the harness, the framework
// and the tests loaded between saves and evaluates only the student's modules afresh
// (watch-tests.ts, watch-worker.ts), while the type check runs beside them once the first
// test has started; then its result, and the closing line `N passed, N failed`. Reference
// tests (REF=1) run in vitest after the others. The type checker stays loaded between
// rounds: a round reads only what changed.
import { watch, type FSWatcher } from "node:fs";
import path from "node:path";
import { studentFilesIn, type LabPart } from "../labs.js";
import { RealClock } from "../../runtime/real-clock.js";
import { RUNS_DIR, staticCheckOnce, typecheckBesideTests, typecheckFiles, typeErrorMessage, type PreRunCheck } from "./pre-run.js";
import type { RunPlan } from "./run-plan.js";
import { prepareChanged } from "../sandbox/prepare-changed.js";
import { mark } from "./timing.js";
import { TypecheckSession } from "./typecheck-session.js";
import { closingLine, VitestSession, type VitestCounts, type VitestSpec } from "./vitest-run.js";
import { ResidentTests } from "./watch-tests.js";

/** Saves closer together than this (wall ms) are one change: an editor may write a file in steps. */
const SETTLE_MS = 40;

/** The tests a round runs in the resident process (the parts' graded and extra test files), and those it leaves to vitest (reference tests). */
function splitSpecs(parts: LabPart[], specs: VitestSpec[]): { resident: VitestSpec[]; vitest: VitestSpec[] } {
  const files = new Set(parts.flatMap((p) => p.testFiles));
  const resident = specs.filter((s) => s.files.every((f) => files.has(f)));
  return { resident, vitest: specs.filter((s) => !resident.includes(s)) };
}

/**
 * Runs until interrupted (Ctrl-C). plan: what each round runs (run-plan.ts); the
 * environment (SEED, RUN, …) is already in process.env, which the test processes inherit.
 */
export async function watchParts(parts: LabPart[], plan: RunPlan): Promise<void> {
  const root = process.cwd();
  const clock = new RealClock();
  const testFiles = [...new Set(parts.flatMap((p) => p.testFiles))];
  const tests = new ResidentTests(root, testFiles);
  // Loads while the first round's static check runs.
  tests.warm();
  const { resident, vitest: vitestSpecs } = splitSpecs(parts, plan.specs);
  let vitest: Promise<VitestSession> | undefined;
  let checker: TypecheckSession | undefined;
  const openChecker = async (): Promise<TypecheckSession> =>
    (checker ??= await TypecheckSession.open({ buildInfoDir: RUNS_DIR, files: typecheckFiles(parts), dir: root }));
  // In memory from the second round on; the first is make test-XX's own (skipped on an unchanged tree).
  const inMemory: PreRunCheck = async (scope) => typeErrorMessage((await openChecker()).check(), scope.parts, true);
  const scope = { parts, wholeProject: false };
  const dirs = [...new Set(parts.flatMap((p) => p.studentFiles.map((f) => path.posix.dirname(f))))];
  const ids = parts.map((p) => p.id).join(" ");

  const secs = (ms: number): string => (ms / 1000).toFixed(2);
  /** Prints its results; returns a description of its time for the "watching" line. */
  const round = async (first: boolean, changed: string[]): Promise<string> => {
    const started = clock.now();
    let firstTest: number | undefined;
    if (!first) process.stdout.write(`\n===== ${changed.join(", ")} saved: ${ids} again =====\n`);
    for (const n of first ? plan.notes : []) process.stdout.write(`${n}\n`);
    try {
      mark(first ? "first round" : "save seen");
      const refused = await staticCheckOnce(scope);
      mark("static check done");
      if (refused !== undefined) {
        process.stdout.write(`${refused}\n`);
        return `that round: ${secs(clock.now() - started)} s`;
      }
      // The first round's student files as make test-XX prepared them (transpiled for the
      // sandbox); after a save, the test process transpiles the saved file itself, with a
      // compiler it loaded while the student edited (watch-worker.ts).
      if (first) {
        prepareChanged(root);
        mark("student code prepared");
      }
      // The type check waits for the first test to start: the first result comes first.
      let testsStarted!: () => void;
      const typecheck = new Promise<void>((resolve) => (testsStarted = resolve)).then(() => (first ? typecheckBesideTests : inMemory)(scope));
      typecheck.catch(() => undefined); // reported where awaited
      const counts: VitestCounts = { passed: 0, failed: 0, skipped: 0, ok: true };
      const add = (c: VitestCounts): void => {
        counts.passed += c.passed;
        counts.failed += c.failed;
        counts.skipped += c.skipped;
        counts.ok &&= c.ok;
      };
      if (resident.length > 0) {
        add(
          await tests.run(resident, () => {
            firstTest ??= clock.now();
            testsStarted();
          }),
        );
      }
      testsStarted();
      if (vitestSpecs.length > 0) {
        // vitest forgets the saved files (the stand-in of a student file carries its export names).
        if (vitest !== undefined) (await vitest).invalidate(changed);
        vitest ??= VitestSession.open();
        add(await (await vitest).run(vitestSpecs));
      }
      const typeErrors = await typecheck;
      mark("type check done");
      if (typeErrors !== undefined) process.stdout.write(`${typeErrors}\n`);
      process.stdout.write(`${closingLine(counts)}\n`);
    } catch (e) {
      // The runner's own failure (tsc, the test process or vitest could not start): say so, keep watching.
      process.stdout.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    }
    const toFirst = firstTest === undefined ? "" : `, first test at ${secs(firstTest - started)} s`;
    return `that round: ${secs(clock.now() - started)} s${toFirst}`;
  };
  const watching = (last: string): void => {
    process.stdout.write(`watching ${dirs.map((d) => `${d}/*.ts`).join(" ")} (the student files of ${ids}; ${last}); Ctrl-C to stop\n`);
  };

  // Saves arriving during a round make one more round after it.
  const pending = new Set<string>();
  let running = true;
  let settle: { cancel(): void } | undefined;
  const drain = async (): Promise<void> => {
    while (pending.size > 0) {
      const changed = [...pending].sort();
      pending.clear();
      running = true;
      watching(await round(false, changed));
      running = false;
    }
  };
  const onSave = (dir: string, name: string | null): void => {
    if (name === null) return;
    const file = path.posix.join(dir, name);
    if (!parts.some((p) => studentFilesIn(p, root).includes(file))) return;
    pending.add(file);
    if (running) return;
    settle?.cancel();
    settle = clock.after(SETTLE_MS, () => void drain());
  };
  const watchers: FSWatcher[] = dirs.map((d) => watch(d, (_event, name) => onSave(d, name)));

  const stop = async (): Promise<void> => {
    for (const w of watchers) w.close();
    clock.stop();
    tests.close();
    await (await vitest)?.close();
    process.exit(130);
  };
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());

  const first = await round(true, []);
  // Load the checker now, while the student reads the results, not after their next save;
  // "watching" says it is ready (a save before that is not lost: it waits for it).
  try {
    (await openChecker()).check();
  } catch (e) {
    process.stdout.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
  }
  watching(first);
  running = false;
  await drain();
}
