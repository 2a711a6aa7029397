// The playground's Web Worker: type-checks the student's files and runs graded tests on
// them, the way labs-test/tools/in-process.ts does on the command line: the same test
// files collected (labs-test/harness/registry.ts), the same runGraded() with the seed and
// virtual limit, the student's files loaded by the same sandbox (labs-test/sandbox/
// student-modules.ts: an SES compartment), here reading them from memory (node/fs.ts).
// Output lines are the course's (say(), the failure report with its replay command).
import { setOutputSink } from "../node/globals.js";
import { setVirtualFiles } from "../node/fs.js";
import { collected, collectingFrom, startCollecting, type GradedCase, type PlainCase } from "../../labs-test/harness/registry.js";
import { runGraded } from "../../labs-test/harness/run-graded.js";
import { describeThrown } from "../../labs-test/harness/describe-thrown.js";
import { failReport, replayCommand } from "../../labs-test/harness/replay.js";
import { VIS_RECORD_CAP } from "../../labs-test/harness/timeline-of-run.js";
import { findPart, type LabPart } from "../../labs-test/labs.js";
import { selectTests, SelectError } from "../../labs-test/tools/select-tests.js";
import { staticCheckParts } from "../../labs-test/tools/static-check.js";
import { buildTimeline } from "../../labs-test/vis/timeline-model.js";
import { renderTimelinePage } from "../../labs-test/vis/timeline-page.js";
import { msSinceStart, RealClock } from "../../runtime/real-clock.js";
import { hasWorld, world, type World } from "../../runtime/world.js";
import frameworkSources from "playground:framework-sources";
import testLoaders from "playground:test-loaders";
import { Demo } from "./demo.js";
import type { Diagnostic, FromWorker, RunRecord, ToWorker } from "./protocol.js";
import { typecheck } from "./typecheck.js";

/** The page's wall clock (the runtime's, as the command-line tools use): run and load times. */
const wall = new RealClock();

/** The course's 120 s per test plus the harness's margin (labs-test/tools/seed-pool.ts DEFAULT_LIMIT_MS). */
const DEFAULT_LIMIT_MS = 125_000;

/** Worker ms (since the page's new Worker()) when its script began to run, and when its modules were evaluated. */
const scriptStart = (self as unknown as { PLAYGROUND_SCRIPT_T0?: number }).PLAYGROUND_SCRIPT_T0 ?? 0;
const scriptEvaluated = msSinceStart();

const post = (m: FromWorker): void => self.postMessage(m);
setOutputSink((stream, text) => post({ type: "output", stream, text }));

function install(files: Record<string, string>): void {
  const tree: Record<string, string> = {};
  for (const [rel, text] of Object.entries(frameworkSources)) tree[`/labs/${rel}`] = text;
  for (const [rel, text] of Object.entries(files)) tree[`/labs/${rel}`] = text;
  setVirtualFiles(tree);
}

/** Type errors, then the sandbox's rules (the static check), as make test-XX's pre-run checks. */
function check(files: Record<string, string>, parts: LabPart[], types = true): Diagnostic[] {
  install(files);
  const found = types ? typecheck(files) : [];
  for (const line of staticCheckParts("/labs", parts)) {
    const m = /^(.*?):(\d+): (.*)$/s.exec(line);
    if (m !== null) found.push({ file: m[1]!, line: Number(m[2]), col: 1, message: m[3]!, kind: "sandbox" });
  }
  return found;
}

/** A run's timeline page; `until` (virtual ms) draws a live demo up to its now. */
function timelineOf(name: string, seed: number, w: World, failure: { t: number; text: string } | null, until?: number): string {
  const warnings = w.tracer.droppedEvents > 0 ? [`the first ${w.tracer.droppedEvents} events were dropped (memory cap ${VIS_RECORD_CAP})`] : [];
  return renderTimelinePage(buildTimeline([...w.tracer.events()], { title: `${name} (seed ${seed})`, failure, warnings, until }));
}

async function runOne(c: GradedCase | PlainCase, seed: number, parts: LabPart[], vis: "fail" | "always" | "off", wallLimitMs?: number): Promise<RunRecord> {
  const part = parts.find((p) => p.tests.includes(c.name) || (p.extraTests ?? []).includes(c.name));
  const command = replayCommand(c.name, seed, false, c.file, part?.id);
  if (c.kind === "plain") {
    process.env.SEED = String(seed);
    const t0 = wall.now();
    try {
      await c.body();
      return { name: c.name, part: part?.id ?? "", seed, passed: true, virtualMs: 0, wallMs: wall.now() - t0, command };
    } catch (e) {
      process.stdout.write(failReport(c.name, seed, describeThrown(e), false, c.file));
      return { name: c.name, part: part?.id ?? "", seed, passed: false, virtualMs: 0, wallMs: wall.now() - t0, error: describeThrown(e).split("\n")[0], command };
    }
  }
  const { result, failure, world } = await runGraded(c.name, c.body, c.opts, {
    seed,
    realtime: false,
    limitMs: part?.virtualLimitMs ?? DEFAULT_LIMIT_MS,
    hash: true,
    testFile: c.file,
    record: vis === "off" ? undefined : VIS_RECORD_CAP,
    wallLimitMs,
  });
  const rec: RunRecord = { name: c.name, part: result.part, seed, passed: result.passed, virtualMs: result.virtualMs, wallMs: result.wallMs, digest: result.digest, error: result.error, command };
  if (!result.passed) process.stdout.write(failReport(c.name, seed, describeThrown(failure ?? result.error), false, c.file));
  if (world !== undefined && (vis === "always" || (vis === "fail" && !result.passed))) {
    try {
      rec.timeline = timelineOf(c.name, seed, world, result.passed ? null : { t: result.virtualMs, text: describeThrown(failure) });
    } catch (e) {
      process.stderr.write(`(no timeline: ${(e as Error).message})\n`);
    }
  }
  return rec;
}

function partsOf(ids: string[]): LabPart[] {
  return ids.map((id) => {
    const p = findPart(id);
    if (p === undefined || p.realProcesses || testLoaders[p.testFiles[0]!] === undefined) throw new SelectError(`not a lab part the playground runs: ${id}`);
    return p;
  });
}

/**
 * The checks make test-XX runs first, then the parts' test files loaded (they load the
 * student's files into the sandbox). False when the checks found problems (then the run
 * is done: the page has been told).
 */
async function checkAndLoad(files: Record<string, string>, parts: LabPart[], typesChecked: boolean, t0: number): Promise<boolean> {
  const problems = check(files, parts, !typesChecked);
  post({ type: "diagnostics", diagnostics: problems });
  if (problems.length > 0) {
    const kinds = problems.some((d) => d.kind === "sandbox") ? "sandbox's rules" : "type errors";
    post({ type: "done", passed: 0, failed: 0, wallMs: wall.now() - t0, error: `fix the ${kinds} first (listed above): make test-XX refuses to run too` });
    return false;
  }
  return true;
}

async function loadTests(parts: LabPart[]): Promise<void> {
  startCollecting();
  for (const f of new Set(parts.flatMap((p) => p.testFiles))) {
    collectingFrom(f);
    await testLoaders[f]!();
  }
}

async function run(m: Extract<ToWorker, { type: "run" }>): Promise<void> {
  // The worker's own clock starts when the page created it: this is how long its script took to load.
  const startMs = msSinceStart();
  const t0 = wall.now();
  const parts = partsOf(m.parts);
  const names = selectTests(parts, m.run, m.extra ? undefined : (p) => p.tests);
  if (!(await checkAndLoad(m.files, parts, m.typesChecked, t0))) return;
  const checked = wall.now();
  await loadTests(parts);
  const loaded = wall.now();
  let passed = 0;
  let failed = 0;
  for (let s = m.seed; s < m.seed + m.count; s++) {
    for (const name of names) {
      const c = collected().get(name);
      if (c === undefined) throw new Error(`${name} is not a test in the loaded files`);
      const rec = await runOne(c, s, parts, m.vis);
      if (rec.passed) passed++;
      else failed++;
      post({ type: "result", record: rec });
    }
  }
  const end = wall.now();
  post({ type: "done", passed, failed, wallMs: end - t0, phases: { scriptStartMs: scriptStart, scriptEvaluatedMs: scriptEvaluated, startMs, checkMs: checked - t0, loadMs: loaded - checked, testsMs: end - loaded } });
}

/** The demo run of this worker, if it runs one. */
let demo: Demo | undefined;

/** A demo's wall limit: a lecture may pause a run for long. */
const DEMO_WALL_LIMIT_MS = 24 * 60 * 60 * 1000;
/** Wall ms between two timeline updates of a demo run. */
const DEMO_FRAME_MS = 400;

async function runDemo(m: Extract<ToWorker, { type: "demo" }>): Promise<void> {
  const t0 = wall.now();
  const parts = partsOf([m.part]);
  const [name] = selectTests(parts, `^${m.test}$`);
  if (name === undefined) throw new SelectError(`${m.test} is not a test of ${m.part}`);
  if (!(await checkAndLoad(m.files, parts, m.typesChecked, t0))) return;
  await loadTests(parts);
  const c = collected().get(name);
  if (c === undefined || c.kind !== "graded") throw new SelectError(`${name}: demo mode runs graded tests only`);
  // The picture is redrawn when events came or virtual time moved: a peer crashed while
  // paused is drawn down from the crash up to now, even through a stretch with no events.
  let lastDrawn = "";
  const state = (withTimeline: boolean): void => {
    const d = demo!;
    let timeline: string | undefined;
    const events = hasWorld() ? world().tracer.events().length + world().tracer.droppedEvents : 0;
    const drawn = `${events}@${d.virtualMs()}`;
    if (withTimeline && hasWorld() && drawn !== lastDrawn) {
      lastDrawn = drawn;
      timeline = timelineOf(`${name} (seed ${m.seed}, demo)`, m.seed, world(), null, d.virtualMs());
    }
    post({ type: "demo-state", virtualMs: d.virtualMs(), paused: d.paused, peers: d.peers(), interventions: [...d.applied], timeline });
  };
  demo = new Demo({ speed: m.speed, paused: m.paused, replay: m.replay, snapshots: m.part === "2D", changed: () => state(true) });
  const frames = new RealClock();
  const frame = (): void => {
    state(true);
    frames.after(DEMO_FRAME_MS, frame);
  };
  frame();
  demo.install();
  try {
    const rec = await runOne(c, m.seed, parts, "always", DEMO_WALL_LIMIT_MS);
    state(false);
    post({ type: "result", record: rec });
    post({ type: "done", passed: rec.passed ? 1 : 0, failed: rec.passed ? 0 : 1, wallMs: wall.now() - t0 });
  } finally {
    demo.uninstall();
    frames.stop();
  }
}

function control(m: ToWorker): void {
  if (demo === undefined) return;
  if (m.type === "demo-pause") demo.pause();
  else if (m.type === "demo-resume") demo.resume(m.speed);
  else if (m.type === "demo-step") demo.step(m.virtualMs);
  else if (m.type === "demo-intervene") {
    try {
      demo.intervene(m.action, m.peer);
    } catch (e) {
      process.stderr.write(`${(e as Error).message}\n`);
    }
  }
}

self.onmessage = (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  if (m.type === "demo") {
    runDemo(m).catch((err: unknown) => post({ type: "done", passed: 0, failed: 0, wallMs: 0, error: err instanceof SelectError ? err.message : describeThrown(err) }));
    return;
  }
  if (m.type !== "check" && m.type !== "run") {
    control(m);
    return;
  }
  if (m.type === "check") {
    try {
      const parts = m.parts.map((id) => findPart(id)).filter((p): p is LabPart => p !== undefined);
      post({ type: "diagnostics", diagnostics: check(m.files, parts) });
    } catch (err) {
      post({ type: "diagnostics", diagnostics: [{ file: Object.keys(m.files)[0] ?? "", line: 1, col: 1, message: describeThrown(err), kind: "type" }] });
    }
    return;
  }
  run(m).catch((err: unknown) => post({ type: "done", passed: 0, failed: 0, wallMs: 0, error: err instanceof SelectError ? err.message : describeThrown(err) }));
};
post({ type: "ready" });
