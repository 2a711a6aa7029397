// The playground page: the student's files in an editor (CodeMirror), kept in the
// browser's localStorage, uploaded and downloaded; runs of a part, one test or COUNT
// seeds in a fresh Web Worker each (../worker/worker.ts); the course's output lines, each
// run's seed, trace hash and replay command, and a failing run's timeline in the page.
import { javascript } from "@codemirror/lang-javascript";
import { lintGutter, setDiagnostics, type Diagnostic as CmDiagnostic } from "@codemirror/lint";
import { EditorState } from "@codemirror/state";
import { EditorView } from "@codemirror/view";
import { basicSetup } from "codemirror";
import site from "playground:site";
import { RealClock } from "../../runtime/real-clock.js";
import type { Timer } from "../../runtime/clock.js";
import type { DemoAction, Diagnostic, FromWorker, Intervention, RunRecord, ToWorker } from "../worker/protocol.js";
import { uploadTarget } from "./upload-target.js";

/** The page's wall clock (the runtime's): the check's pause after typing, run times. */
const wall = new RealClock();

// Builds opened from disk share one origin (file://): the instructor build keeps its files apart,
// or the reference editor would open on a student's saved file.
const STORE = site.reference ? "labs-playground:reference:file:" : "labs-playground:file:";
const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

const workerUrl = URL.createObjectURL(new Blob([(self as unknown as { PLAYGROUND_WORKER_SOURCE: string }).PLAYGROUND_WORKER_SOURCE], { type: "text/javascript" }));

/** The student's files: what localStorage holds, else the skeleton. */
function fileText(rel: string): string {
  return localStorage.getItem(STORE + rel) ?? site.skeletons[rel] ?? "";
}
function saveFile(rel: string, text: string): void {
  if (text === site.skeletons[rel]) localStorage.removeItem(STORE + rel);
  else localStorage.setItem(STORE + rel, text);
}

let currentPart = site.parts[0]!;
let currentFile = currentPart.studentFiles[0]!;
let diagnostics: Diagnostic[] = [];

/** The diagnostics of the open file as the editor's marks (1-based lines and columns → offsets). */
function marksOf(state: EditorState): CmDiagnostic[] {
  const out: CmDiagnostic[] = [];
  for (const d of diagnostics) {
    if (d.file !== currentFile) continue;
    const line = state.doc.line(Math.min(Math.max(1, d.line), state.doc.lines));
    const from = Math.min(line.from + d.col - 1, line.to);
    out.push({ from, to: Math.max(from, line.to), severity: "error", message: d.message });
  }
  return out;
}

const view = new EditorView({ parent: $("editor") });
function openFile(rel: string): void {
  currentFile = rel;
  view.setState(
    EditorState.create({
      doc: fileText(rel),
      extensions: [
        basicSetup,
        javascript({ typescript: true }),
        lintGutter(),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) {
            saveFile(rel, u.state.doc.toString());
            scheduleCheck();
          }
        }),
      ],
    }),
  );
  view.dispatch(setDiagnostics(view.state, marksOf(view.state)));
  for (const b of $("tabs").querySelectorAll("button")) b.classList.toggle("active", b.dataset.file === rel);
  view.dom.dataset.file = rel;
}

function filesOf(part = currentPart): Record<string, string> {
  return Object.fromEntries(part.studentFiles.map((f) => [f, fileText(f)]));
}

function showProblems(ds: Diagnostic[]): void {
  diagnostics = ds;
  $("problems").textContent = ds.map((d) => `${d.file}:${d.line}:${d.col}: ${d.kind === "sandbox" ? "" : d.kind === "syntax" ? "syntax error: " : "type error: "}${d.message}`).join("\n");
  view.dispatch(setDiagnostics(view.state, marksOf(view.state)));
}

// Type errors as you type: a long-lived worker that only checks.
let checker: Worker | undefined;
let checkTimer: Timer | undefined;
/** The files of the checker's last answer (JSON) when it found no type errors in them. */
let cleanFiles: string | undefined;
/** Files (JSON) sent to the checker and not answered yet, oldest first: it answers in order. */
const checking: string[] = [];
/** Runs waiting for the checker's answer on their files (a type check costs seconds: never twice). */
const checkWaiters: Array<{ files: string; done: () => void }> = [];
/** Wall ms of no typing before the type check runs. */
const CHECK_PAUSE_MS = 400;
function scheduleCheck(): void {
  checkTimer?.cancel();
  checkTimer = wall.after(CHECK_PAUSE_MS, sendCheck);
}
function sendCheck(): void {
  checkTimer?.cancel();
  checkTimer = undefined;
  if (checker === undefined) {
    checker = new Worker(workerUrl);
    checker.onmessage = (e: MessageEvent<FromWorker>) => {
      if (e.data.type !== "diagnostics") return;
      const files = checking.shift();
      showProblems(e.data.diagnostics);
      cleanFiles = e.data.diagnostics.some((d) => d.kind !== "sandbox") ? undefined : files;
      for (const w of checkWaiters.splice(0)) {
        if (w.files === files || !checking.includes(w.files)) w.done();
        else checkWaiters.push(w);
      }
    };
  }
  const files = filesOf();
  checking.push(JSON.stringify(files));
  checker.postMessage({ type: "check", files, parts: [currentPart.id] } satisfies ToWorker);
}

/** Wait until the checker has answered on these files (JSON), sending them if it has not got them. */
function checkedOnce(files: string): Promise<void> {
  if (checkTimer !== undefined) sendCheck();
  if (!checking.includes(files)) return Promise.resolve();
  return new Promise((done) => checkWaiters.push({ files, done }));
}

function fillParts(): void {
  const sel = $<HTMLSelectElement>("part");
  for (const p of site.parts) sel.add(new Option(`${p.id}: ${p.title}`, p.id));
  sel.onchange = () => selectPart(sel.value);
}

function selectPart(id: string): void {
  currentPart = site.parts.find((p) => p.id === id) ?? site.parts[0]!;
  $<HTMLSelectElement>("part").value = currentPart.id;
  const tabs = $("tabs");
  tabs.textContent = "";
  for (const f of currentPart.studentFiles) {
    const b = document.createElement("button");
    b.textContent = f;
    b.dataset.file = f;
    b.onclick = () => openFile(f);
    tabs.append(b);
  }
  const test = $<HTMLSelectElement>("test");
  test.textContent = "";
  test.add(new Option("all tests of the part", ""));
  for (const t of [...currentPart.tests, ...currentPart.extraTests]) test.add(new Option(t, t));
  openFile(currentPart.studentFiles.includes(currentFile) ? currentFile : currentPart.studentFiles[0]!);
  scheduleCheck();
}

// ---- runs --------------------------------------------------------------------------------

let runner: Worker | undefined;
let runStart = 0;
/**
 * The next run's worker, started ahead: loading its script (5 MB: TypeScript, the
 * framework, the tests) takes longer than most runs, so it happens while the student
 * reads the last result, not after the click. A run's worker is never reused.
 */
let spare: Worker | undefined;
function warmSpare(): void {
  if (spare !== undefined) return;
  delete document.body.dataset.spareReady;
  spare = new Worker(workerUrl);
  // For the benchmark: it times runs from a loaded spare.
  spare.onmessage = (e: MessageEvent<FromWorker>) => {
    if (e.data.type === "ready") document.body.dataset.spareReady = "true";
  };
}
function takeWorker(): Worker {
  const w = spare ?? new Worker(workerUrl);
  spare = undefined;
  return w;
}

function setRunning(on: boolean): void {
  $<HTMLButtonElement>("run").disabled = on;
  $<HTMLButtonElement>("stop").disabled = !on;
}

function appendOutput(text: string): void {
  const out = $("output");
  out.append(text);
  out.scrollTop = out.scrollHeight;
}

function addResult(r: RunRecord): void {
  const tr = document.createElement("tr");
  tr.className = r.passed ? "pass" : "fail";
  tr.dataset.name = r.name;
  tr.dataset.seed = String(r.seed);
  tr.dataset.passed = String(r.passed);
  tr.dataset.digest = r.digest ?? "";
  const cells = [r.passed ? "ok" : "FAIL", r.name, `seed ${r.seed}`, `${(r.virtualMs / 1000).toFixed(1)} virtual s`, (r.digest ?? "").slice(0, 16)];
  for (const c of cells) {
    const td = document.createElement("td");
    td.textContent = c;
    tr.append(td);
  }
  const td = document.createElement("td");
  const copy = document.createElement("button");
  copy.textContent = "copy the command";
  copy.title = r.command;
  copy.className = "copy";
  copy.dataset.command = r.command;
  copy.onclick = () => {
    void navigator.clipboard?.writeText(r.command).catch(() => {});
    $("status").textContent = r.command;
  };
  td.append(copy);
  if (r.timeline !== undefined) {
    const html = r.timeline;
    const open = document.createElement("button");
    open.textContent = "timeline";
    open.className = "open-timeline";
    open.onclick = () => showTimeline(`${r.name} (seed ${r.seed})`, html);
    td.append(" ", open);
  }
  tr.append(td);
  $("results").querySelector("tbody")!.append(tr);
}

function showTimeline(title: string, html: string): void {
  $("timeline-title").textContent = title;
  $<HTMLIFrameElement>("timeline").srcdoc = html;
  $("timeline-box").classList.add("open");
}

/** Counts runs: a run still waiting for the type check when Stop or another Run came is dropped. */
let runGeneration = 0;

/**
 * What every run does first: the last run ended, the page marked running, and the
 * checker's answer on the files awaited (a type check costs seconds: never twice).
 * Undefined when Stop or another run came meanwhile.
 */
async function beginRun(): Promise<{ files: Record<string, string>; key: string } | undefined> {
  const generation = ++runGeneration;
  runner?.terminate();
  runner = undefined;
  demoEnded();
  setRunning(true);
  document.body.dataset.state = "running";
  delete document.body.dataset.firstResultMs;
  runStart = wall.now();
  const files = filesOf();
  const key = JSON.stringify(files);
  if (checking.includes(key) || checkTimer !== undefined) {
    $("status").textContent = "waiting for the type check …";
    await checkedOnce(key);
    if (generation !== runGeneration) return undefined;
  }
  $("output").textContent = "";
  $("results").querySelector("tbody")!.textContent = "";
  return { files, key };
}

async function startRun(): Promise<void> {
  const begun = await beginRun();
  if (begun === undefined) return;
  const { files, key } = begun;
  $("timeline-box").classList.remove("open");
  const test = $<HTMLSelectElement>("test").value;
  const filter = $<HTMLInputElement>("run-filter").value.trim();
  const run = test !== "" ? `^${test}$` : filter !== "" ? filter : undefined;
  const seed = Math.max(1, Math.floor(Number($<HTMLInputElement>("seed").value) || 1));
  const count = Math.max(1, Math.floor(Number($<HTMLInputElement>("count").value) || 1));
  const typesChecked = cleanFiles === key;
  const msg: ToWorker = { type: "run", files, parts: [currentPart.id], run, extra: $<HTMLInputElement>("extra").checked, seed, count, typesChecked, vis: "fail" };
  runner = takeWorker();
  $("status").textContent = `running ${currentPart.id}${run === undefined ? "" : ` RUN=${run}`}, seed ${seed}${count > 1 ? `..${seed + count - 1}` : ""} …`;
  listen(runner);
  runner.postMessage(msg);
}

/** The page's side of a run: output, results, the end; a demo's state. */
function listen(w: Worker): void {
  w.onmessage = (e: MessageEvent<FromWorker>) => {
    const m = e.data;
    if (m.type === "output") appendOutput(m.text);
    else if (m.type === "diagnostics") showProblems(m.diagnostics);
    else if (m.type === "demo-state") showDemoState(m);
    else if (m.type === "result") {
      if (document.body.dataset.firstResultMs === undefined) document.body.dataset.firstResultMs = String(Math.round(wall.now() - runStart));
      addResult(m.record);
    } else if (m.type === "done") {
      const seconds = ((wall.now() - runStart) / 1000).toFixed(1);
      $("status").textContent = m.error !== undefined ? `error: ${m.error}` : `${m.passed} passed, ${m.failed} failed (${seconds} s)`;
      if (m.error !== undefined) appendOutput(`${m.error}\n`);
      document.body.dataset.state = m.error !== undefined ? "error" : m.failed > 0 ? "failed" : "passed";
      document.body.dataset.runMs = String(Math.round(wall.now() - runStart));
      if (m.phases !== undefined) document.body.dataset.phases = JSON.stringify(m.phases);
      setRunning(false);
      demoEnded();
      runner?.terminate();
      runner = undefined;
      warmSpare();
    }
  };
  w.onerror = (e) => {
    $("status").textContent = `the worker failed: ${e.message}`;
    document.body.dataset.state = "error";
    setRunning(false);
    demoEnded();
  };
}

function stopRun(): void {
  runGeneration++;
  runner?.terminate();
  runner = undefined;
  $("status").textContent = "stopped";
  document.body.dataset.state = "stopped";
  setRunning(false);
  demoEnded();
  warmSpare();
}

// ---- demo mode (the instructor build) ---------------------------------------------------

/** The demo being run or last run: its test and seed, and its interventions so far. */
let demoRun: { part: string; test: string; seed: number; interventions: Intervention[] } | undefined;
let demoLive = false;

function demoButtons(): void {
  $<HTMLButtonElement>("pause").disabled = !demoLive;
  $<HTMLButtonElement>("step").disabled = !demoLive;
  for (const b of document.querySelectorAll<HTMLButtonElement>("#demo-bar .intervene")) b.disabled = !demoLive || $<HTMLSelectElement>("peer").options.length === 0;
  $<HTMLButtonElement>("replay").disabled = demoLive || demoRun === undefined;
}

function describeInterventions(list: Intervention[]): string {
  return list.map((i) => `${i.action} ${i.peer} at virtual ${(i.virtualMs / 1000).toFixed(3)} s (tick ${i.tick})`).join("\n");
}

/**
 * Run the chosen test in demo mode: paced, with pause, step and interventions. replay:
 * a recorded run's interventions, applied where they were (the same trace hash).
 */
async function startDemo(replay: Intervention[]): Promise<void> {
  const test = $<HTMLSelectElement>("test").value;
  if (test === "") {
    $("status").textContent = "demo: choose one test first";
    return;
  }
  const seed = Math.max(1, Math.floor(Number($<HTMLInputElement>("seed").value) || 1));
  const begun = await beginRun();
  if (begun === undefined) return;
  const { files, key } = begun;
  $("peer").textContent = "";
  demoRun = { part: currentPart.id, test, seed, interventions: [] };
  demoLive = true;
  document.body.dataset.demoInterventions = "[]";
  showInterventions(replay.length > 0 ? `replaying: ${describeInterventions(replay)}` : "");
  demoButtons();
  $("status").textContent = `demo: ${test} (seed ${seed})${replay.length > 0 ? `, replaying ${replay.length} interventions` : ""} …`;
  runner = takeWorker();
  listen(runner);
  const speed = Number($<HTMLSelectElement>("demo-speed").value);
  runner.postMessage({ type: "demo", files, part: currentPart.id, test, seed, typesChecked: cleanFiles === key, speed, paused: false, replay } satisfies ToWorker);
}

function showInterventions(text: string): void {
  $("interventions").textContent = text;
}

function showDemoState(m: Extract<FromWorker, { type: "demo-state" }>): void {
  $("demo-time").textContent = `virtual ${(m.virtualMs / 1000).toFixed(3)} s${m.paused ? " (paused)" : ""}`;
  document.body.dataset.virtualMs = String(m.virtualMs);
  document.body.dataset.demoPaused = String(m.paused);
  $("pause").textContent = m.paused ? "Resume" : "Pause";
  const peer = $<HTMLSelectElement>("peer");
  if (peer.options.length !== m.peers) {
    peer.textContent = "";
    for (let i = 0; i < m.peers; i++) peer.add(new Option(`S${i}`, String(i)));
    demoButtons();
  }
  if (demoRun !== undefined && m.interventions.length > 0) {
    demoRun.interventions = m.interventions;
    document.body.dataset.demoInterventions = JSON.stringify(m.interventions);
    showInterventions(describeInterventions(m.interventions));
  }
  if (m.timeline !== undefined && demoRun !== undefined) showTimeline(`${demoRun.test} (seed ${demoRun.seed}, demo)`, m.timeline);
}

function demoEnded(): void {
  if (!demoLive || demoRun === undefined) return;
  demoLive = false;
  const d = demoRun;
  const command = `make test-${d.part} SEED=${d.seed} RUN=${d.test}`;
  showInterventions(
    d.interventions.length === 0
      ? `no interventions: \`${command}\` replays this run`
      : `${describeInterventions(d.interventions)}\nreplay: "Replay with these interventions" reruns seed ${d.seed} with them, each at its tick (the same trace hash); ` +
          `the command line has none: \`${command}\` replays the run without them`,
  );
  demoButtons();
}

function demoControl(m: ToWorker): void {
  if (demoLive) runner?.postMessage(m);
}


// ---- files in and out ---------------------------------------------------------------------

function download(): void {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([fileText(currentFile)], { type: "text/plain" }));
  a.download = currentFile.split("/").pop()!;
  a.click();
  URL.revokeObjectURL(a.href);
}

async function upload(list: FileList): Promise<void> {
  const notes: string[] = [];
  for (const f of list) {
    const target = uploadTarget(f.name, f.webkitRelativePath, currentPart.studentFiles, currentFile);
    if ("refused" in target) {
      notes.push(`${currentPart.id}: ${target.refused}`);
      continue;
    }
    saveFile(target.file, await f.text());
    notes.push(`${f.name} → ${target.file}`);
  }
  $("status").textContent = notes.join("; ");
  openFile(currentFile);
  scheduleCheck();
}

fillParts();
selectPart(currentPart.id);
$("run").onclick = () => void startRun();
$("stop").onclick = stopRun;
$("download").onclick = download;
$<HTMLInputElement>("upload").onchange = (e) => void upload((e.target as HTMLInputElement).files!);
$("reset").onclick = () => {
  if (!confirm(`Put the skeleton back in ${currentFile}? Your version is lost unless you downloaded it.`)) return;
  localStorage.removeItem(STORE + currentFile);
  openFile(currentFile);
  scheduleCheck();
};
if (site.reference) {
  $("demo-bar").hidden = false;
  $("demo").onclick = () => void startDemo([]);
  $("replay").onclick = () => void startDemo(demoRun?.interventions ?? []);
  $("pause").onclick = () =>
    demoControl(document.body.dataset.demoPaused === "true" ? { type: "demo-resume", speed: Number($<HTMLSelectElement>("demo-speed").value) } : { type: "demo-pause" });
  $("step").onclick = () => demoControl({ type: "demo-step", virtualMs: Number($<HTMLSelectElement>("step-ms").value) });
  $("demo-speed").onchange = () => {
    if (document.body.dataset.demoPaused !== "true") demoControl({ type: "demo-resume", speed: Number($<HTMLSelectElement>("demo-speed").value) });
  };
  for (const b of document.querySelectorAll<HTMLButtonElement>("#demo-bar .intervene")) {
    b.onclick = () => demoControl({ type: "demo-intervene", action: b.dataset.action as DemoAction, peer: Number($<HTMLSelectElement>("peer").value) });
  }
}
$("close-timeline").onclick = () => $("timeline-box").classList.remove("open");
if (site.reference) document.title += "";
warmSpare();
