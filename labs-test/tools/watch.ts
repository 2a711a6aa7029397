// `make watch-XX`: the part's tests once, then again each time one of the part's student
// files (or a helper file of the student's beside them) is saved. vitest and the type
// checker stay loaded between rounds: a round reads only what changed. Each round is a
// make test-XX: the pre-run checks first (a type error is reported, with its file and
// line, and no test runs), then the tests, then the closing line `N passed, N failed`.
import { watch, type FSWatcher } from "node:fs";
import path from "node:path";
import { studentFilesIn, type LabPart } from "../labs.js";
import { RealClock } from "../../runtime/real-clock.js";
import { firstFailure, preRunChecks, RUNS_DIR, typecheckFiles, typecheckOnce, typeErrorMessage, type PreRunCheck } from "./pre-run.js";
import type { RunPlan } from "./run-plan.js";
import { prepareChanged } from "../sandbox/prepare-changed.js";
import { mark } from "./timing.js";
import { TypecheckSession } from "./typecheck-session.js";
import { closingLine, VitestSession } from "./vitest-run.js";

/** Saves closer together than this (wall ms) are one change: an editor may write a file in steps. */
const SETTLE_MS = 40;

/**
 * Runs until interrupted (Ctrl-C). plan: what each round runs (run-plan.ts); the
 * environment (SEED, RUN, …) is already in process.env.
 */
export async function watchParts(parts: LabPart[], plan: RunPlan): Promise<void> {
  const root = process.cwd();
  const clock = new RealClock();
  // Loads while the first round's checks run.
  const opening = VitestSession.open();
  opening.catch(() => undefined); // reported where awaited
  let vitest: VitestSession | undefined;
  let checker: TypecheckSession | undefined;
  const openChecker = async (): Promise<TypecheckSession> =>
    (checker ??= await TypecheckSession.open({ buildInfoDir: RUNS_DIR, files: typecheckFiles(parts), dir: root }));
  // In memory from the second round on; the first is make test-XX's own (skipped on an unchanged tree).
  const inMemory: PreRunCheck = async (scope) => typeErrorMessage((await openChecker()).check(), scope.parts);
  const scope = { parts, wholeProject: false };
  const dirs = [...new Set(parts.flatMap((p) => p.studentFiles.map((f) => path.posix.dirname(f))))];
  const ids = parts.map((p) => p.id).join(" ");

  const secs = (ms: number): string => (ms / 1000).toFixed(2);
  /** Prints its results; returns a description of its time for the "watching" line. */
  const round = async (first: boolean, changed: string[]): Promise<string> => {
    const started = clock.now();
    let checked = started;
    if (!first) {
      process.stdout.write(`\n===== ${changed.join(", ")} saved: ${ids} again =====\n`);
      vitest?.invalidate(changed);
    }
    for (const n of first ? plan.notes : []) process.stdout.write(`${n}\n`);
    try {
      mark(first ? "first round" : "save seen");
      const msg = await firstFailure(preRunChecks(first ? typecheckOnce : inMemory), scope);
      checked = clock.now();
      if (msg !== undefined) process.stdout.write(`${msg}\n`);
      else {
        prepareChanged(root);
        mark("student code prepared");
        vitest ??= await opening;
        process.stdout.write(`${closingLine(await vitest.run(plan.specs))}\n`);
      }
    } catch (e) {
      // The runner's own failure (tsc or vitest could not start): say so, keep watching.
      process.stdout.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    }
    return `that round: ${secs(clock.now() - started)} s, of which checks ${secs(checked - started)} s`;
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
    await vitest?.close();
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
