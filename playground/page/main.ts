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
import type { Diagnostic, FromWorker, RunRecord, ToWorker } from "../worker/protocol.js";

/** The page's wall clock (the runtime's): the check's pause after typing, run times. */
const wall = new RealClock();

const STORE = "labs-playground:file:";
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
/** Wall ms of no typing before the type check runs. */
const CHECK_PAUSE_MS = 400;
function scheduleCheck(): void {
  checkTimer?.cancel();
  checkTimer = wall.after(CHECK_PAUSE_MS, () => {
    if (checker === undefined) {
      checker = new Worker(workerUrl);
      checker.onmessage = (e: MessageEvent<FromWorker>) => {
        if (e.data.type !== "diagnostics") return;
        const files = checking.shift();
        showProblems(e.data.diagnostics);
        cleanFiles = e.data.diagnostics.some((d) => d.kind !== "sandbox") ? undefined : files;
      };
    }
    const files = filesOf();
    checking.push(JSON.stringify(files));
    checker.postMessage({ type: "check", files, parts: [currentPart.id] } satisfies ToWorker);
  });
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

function startRun(): void {
  runner?.terminate();
  $("output").textContent = "";
  $("results").querySelector("tbody")!.textContent = "";
  $("timeline-box").classList.remove("open");
  const test = $<HTMLSelectElement>("test").value;
  const filter = $<HTMLInputElement>("run-filter").value.trim();
  const run = test !== "" ? `^${test}$` : filter !== "" ? filter : undefined;
  const seed = Math.max(1, Math.floor(Number($<HTMLInputElement>("seed").value) || 1));
  const count = Math.max(1, Math.floor(Number($<HTMLInputElement>("count").value) || 1));
  const files = filesOf();
  const typesChecked = cleanFiles === JSON.stringify(files);
  const msg: ToWorker = { type: "run", files, parts: [currentPart.id], run, extra: $<HTMLInputElement>("extra").checked, seed, count, typesChecked, vis: "fail" };
  runner = new Worker(workerUrl);
  runStart = wall.now();
  document.body.dataset.state = "running";
  $("status").textContent = `running ${currentPart.id}${run === undefined ? "" : ` RUN=${run}`}, seed ${seed}${count > 1 ? `..${seed + count - 1}` : ""} …`;
  setRunning(true);
  runner.onmessage = (e: MessageEvent<FromWorker>) => {
    const m = e.data;
    if (m.type === "output") appendOutput(m.text);
    else if (m.type === "diagnostics") showProblems(m.diagnostics);
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
      runner?.terminate();
      runner = undefined;
    }
  };
  runner.onerror = (e) => {
    $("status").textContent = `the worker failed: ${e.message}`;
    document.body.dataset.state = "error";
    setRunning(false);
  };
  delete document.body.dataset.firstResultMs;
  runner.postMessage(msg);
}

function stopRun(): void {
  runner?.terminate();
  runner = undefined;
  $("status").textContent = "stopped";
  document.body.dataset.state = "stopped";
  setRunning(false);
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
    const target = currentPart.studentFiles.find((s) => s.split("/").pop() === f.name);
    if (target === undefined) {
      notes.push(`${f.name}: not a student file of ${currentPart.id} (${currentPart.studentFiles.join(", ")}); left out`);
      continue;
    }
    saveFile(target, await f.text());
    notes.push(`${f.name} → ${target}`);
  }
  $("status").textContent = notes.join("; ");
  openFile(currentFile);
  scheduleCheck();
}

fillParts();
selectPart(currentPart.id);
$("run").onclick = startRun;
$("stop").onclick = stopRun;
$("download").onclick = download;
$<HTMLInputElement>("upload").onchange = (e) => void upload((e.target as HTMLInputElement).files!);
$("reset").onclick = () => {
  if (!confirm(`Put the skeleton back in ${currentFile}? Your version is lost unless you downloaded it.`)) return;
  localStorage.removeItem(STORE + currentFile);
  openFile(currentFile);
  scheduleCheck();
};
$("close-timeline").onclick = () => $("timeline-box").classList.remove("open");
if (site.reference) document.title += "";
