// make playground: the labs in a browser tab, as one static folder (no server code; it
// opens from file://). esbuild bundles two scripts:
// - worker-source.js: the Web Worker that runs tests (worker/worker.ts): the runtime,
//   labrpc and its codec, the harnesses, the graded and extra test files of every
//   simulated part, the sandbox that loads student code, TypeScript (transpiling and type
//   checking in the page) and the timeline page. Node's modules are replaced by the
//   stand-ins in node/ (an in-memory file system of the student's files, SHA-256 for the
//   trace hash …). It is a string the page starts as a Blob worker: a page opened from
//   file:// may not start a worker from a file.
// - app.js: the page (page/main.ts): the editor (CodeMirror), storage, runs, results.
// Student files are the handout's stubs (labs-test/tools/handout-tree.ts); with
// --reference (make playground REFERENCE=1, for instructors) our reference solution.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Command } from "commander";
import * as esbuild from "esbuild";
import ts from "typescript";
import { PARTS, studentFilesIn, type LabPart } from "../labs-test/labs.js";
import { FRAMEWORK_API, FRAMEWORK_IN_COMPARTMENT } from "../labs-test/sandbox/policy.js";
import { shimSource } from "../labs-test/sandbox/shim.js";
import { studentExportNames } from "../labs-test/sandbox/student-shims.js";
import { handoutTree } from "../labs-test/tools/handout-tree.js";

const ROOT = path.resolve(import.meta.dirname, "..");
/** Parts the playground runs: every simulated part with graded tests for students. */
export const PLAYGROUND_PARTS = PARTS.filter((p) => !p.realProcesses && p.id !== "labrpc");
const NODE_STAND_INS = new Set(["fs", "path", "crypto", "module", "util", "os"]);

/** The student files a run in the page can hold (repository-relative), in part order. */
function studentFiles(): string[] {
  return [...new Set(PLAYGROUND_PARTS.flatMap((p) => p.studentFiles))];
}

/**
 * A part's files in the editor: the course's student files, and in the instructor build
 * also the helper files our solution keeps beside them (raft/log.ts …: a student's own
 * files, as the grader takes them from a submission).
 */
function editorFiles(p: LabPart, reference: boolean): string[] {
  return reference ? studentFilesIn(p, ROOT) : p.studentFiles;
}

/** Skeletons: the handout's stubs, or (reference) the repository's own files. */
function skeletons(reference: boolean): Record<string, string> {
  const wanted = new Set(studentFiles());
  const out: Record<string, string> = {};
  if (reference) {
    for (const f of new Set(PLAYGROUND_PARTS.flatMap((p) => editorFiles(p, true)))) out[f] = readFileSync(path.join(ROOT, f), "utf8");
    return out;
  }
  for (const f of handoutTree(ROOT)) if (wanted.has(f.path)) out[f.path] = f.bytes.toString("utf8");
  return out;
}

/** Value export names of each student file, read from the skeletons (the course's API). */
function exportNamesOf(files: Record<string, string>): Map<string, string[]> {
  const dir = mkdtempSync(path.join(tmpdir(), "playground-names-"));
  try {
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      writeFileSync(path.join(dir, rel), text);
    }
    return new Map(Object.keys(files).map((rel) => [rel, studentExportNames(dir, path.join(dir, rel))]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * What the page's type check reads (path in its in-memory tree → text): the standard
 * library's declarations (ES2023, as tsconfig.json), declarations of the course's modules
 * student code may import (emitted here), the framework files that run in the
 * compartment as source, and the sandbox's globals.
 */
function typeFiles(read: Set<string>): Record<string, string> {
  const out: Record<string, string> = {};
  const libDir = path.dirname(require_resolve("typescript/lib/lib.d.ts"));
  const addLib = (name: string): void => {
    const key = `/lib/${name}`;
    if (out[key] !== undefined) return;
    read.add(path.join(libDir, name));
    const text = readFileSync(path.join(libDir, name), "utf8");
    out[key] = text;
    for (const m of text.matchAll(/\/\/\/\s*<reference lib="([^"]+)"\s*\/>/g)) addLib(`lib.${m[1]!.toLowerCase()}.d.ts`);
  };
  addLib("lib.es2023.d.ts");
  const roots = Object.keys(FRAMEWORK_API).map((f) => path.join(ROOT, f));
  const program = ts.createProgram(roots, {
    declaration: true,
    emitDeclarationOnly: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    skipLibCheck: true,
    types: ["node"],
    outDir: "/labs",
    rootDir: ROOT,
  });
  program.emit(undefined, (file, text) => {
    if (file.endsWith(".d.ts")) out[file] = text;
  });
  for (const f of FRAMEWORK_IN_COMPARTMENT) out[`/labs/${f}`] = readFileSync(path.join(ROOT, f), "utf8");
  out["/labs/playground-globals.d.ts"] = readFileSync(path.join(ROOT, "playground/worker/globals.d.ts.txt"), "utf8");
  return out;
}

function require_resolve(spec: string): string {
  return path.join(ROOT, "node_modules", spec);
}

function virtual(name: string, contents: string, resolveDir = ROOT): esbuild.Plugin {
  return {
    name: `virtual:${name}`,
    setup(b) {
      b.onResolve({ filter: new RegExp(`^${name}$`) }, () => ({ path: name, namespace: "playground-virtual" }));
      b.onLoad({ filter: new RegExp(`^${name}$`), namespace: "playground-virtual" }, () => ({ contents, loader: "js", resolveDir }));
    },
  };
}

/**
 * Modules that read a page's browser code from files beside them (the timeline's and
 * porcupine's pages), with the file each export returns: the worker has no file system,
 * so the bundle gets a module returning the texts instead.
 */
const BROWSER_ASSETS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  "labs-test/vis/timeline-assets.ts": { timelineScript: "labs-test/vis/timeline.page.js", timelineStyle: "labs-test/vis/timeline.page.css" },
  "porcupine/visualize-assets.ts": { visualizeScript: "porcupine/visualize.page.js", visualizeStyle: "porcupine/visualize.page.css" },
};

function browserAssets(read: Set<string>): esbuild.Plugin {
  const modules = new Map(Object.entries(BROWSER_ASSETS).map(([m, exports]) => [path.join(ROOT, m), exports]));
  return {
    name: "browser-assets",
    setup(b) {
      b.onLoad({ filter: /-assets\.ts$/ }, (a) => {
        const exports = modules.get(a.path);
        if (exports === undefined) {
          if (a.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
          return { errors: [{ text: `${path.relative(ROOT, a.path)} reads browser code from files: list them in BROWSER_ASSETS (playground/build.ts)` }] };
        }
        const lines = Object.entries(exports).map(([name, f]) => {
          read.add(path.join(ROOT, f));
          return `export const ${name} = () => ${JSON.stringify(readFileSync(path.join(ROOT, f), "utf8"))};`;
        });
        return { contents: lines.join("\n"), loader: "js" };
      });
    },
  };
}

function workerPlugins(names: Map<string, string[]>, read: Set<string>): esbuild.Plugin[] {
  const studentAbs = new Map(studentFiles().map((f) => [path.join(ROOT, f), f]));
  const modulesFile = path.join(ROOT, "labs-test/sandbox/student-modules.ts");
  const vitestShim = path.join(ROOT, "labs-test/tools/vitest-shim.ts");
  const testFiles = [...new Set(PLAYGROUND_PARTS.flatMap((p) => p.testFiles))];
  const loaders = `export default {\n${testFiles.map((f) => `  ${JSON.stringify(f)}: () => import(${JSON.stringify(`./${f}`)}),`).join("\n")}\n};\n`;
  const sources = Object.fromEntries(FRAMEWORK_IN_COMPARTMENT.map((f) => [f, readFileSync(path.join(ROOT, f), "utf8")]));
  return [
    {
      name: "node-stand-ins",
      setup(b) {
        b.onResolve({ filter: /^(node:)?(fs|path|crypto|module|util|os)$/ }, (a) => {
          const m = a.path.replace(/^node:/, "");
          return NODE_STAND_INS.has(m) ? { path: path.join(ROOT, "playground/node", `${m}.ts`) } : undefined;
        });
        b.onResolve({ filter: /^node:/ }, (a) => ({ errors: [{ text: `${a.path} (imported by ${path.relative(ROOT, a.importer)}) has no stand-in in the page` }] }));
        b.onResolve({ filter: /^vitest$/ }, (a) => ({ path: a.importer === vitestShim ? path.join(ROOT, "playground/worker/expect.ts") : vitestShim }));
      },
    },
    {
      // Every import of a student file gets the sandbox's stand-in module (shim.ts), as
      // Node's loader hooks and vitest's plugin give it: student code runs only in the compartment.
      name: "student-shims",
      setup(b) {
        b.onResolve({ filter: /\.(js|ts)$/ }, (a) => {
          if (a.namespace !== "file" || !a.path.startsWith(".")) return undefined;
          const abs = path.resolve(a.resolveDir, a.path.replace(/\.js$/, ".ts"));
          const rel = studentAbs.get(abs);
          if (rel === undefined || abs === a.importer) return undefined;
          return { path: rel, namespace: "student-shim" };
        });
        b.onLoad({ filter: /.*/, namespace: "student-shim" }, (a) => ({
          contents: shimSource(`/labs/${a.path}`, names.get(a.path) ?? [], modulesFile),
          loader: "js",
          resolveDir: ROOT,
        }));
      },
    },
    browserAssets(read),
    virtual("playground:test-loaders", loaders),
    virtual("playground:framework-sources", `export default ${JSON.stringify(sources)};`),
    virtual("playground:type-files", `export default ${JSON.stringify(typeFiles(read))};`),
  ];
}

export interface BuiltSite {
  /** File name in the site → bytes. */
  sizes: Map<string, number>;
  /** Every file the bundles were made from (absolute paths), the standard library's declarations included. */
  inputs: string[];
}

/** Build the site into outDir (emptied first). */
export async function buildPlayground(outDir: string, reference: boolean): Promise<BuiltSite> {
  const skel = skeletons(reference);
  /** Files read into virtual modules (the standard library's declarations). */
  const libFiles = new Set<string>();
  const names = exportNamesOf(skel);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const common: esbuild.BuildOptions = {
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "chrome120",
    minify: true,
    write: false,
    metafile: true,
    logLevel: "warning",
    legalComments: "none",
    // lockdown.ts imports zod for its side effects; in the page zod loads before any lockdown anyway.
    logOverride: { "ignored-bare-import": "silent" },
  };
  const worker = await esbuild.build({
    ...common,
    entryPoints: [path.join(ROOT, "playground/worker/worker.ts")],
    inject: [path.join(ROOT, "playground/node/globals.ts")],
    define: { "import.meta.dirname": '"/labs/labs-test/sandbox"', "import.meta.url": '"file:///labs/labs-test/sandbox/x.js"' },
    plugins: workerPlugins(names, libFiles),
    // When the worker's script began to run (its phases: compiling it against evaluating it).
    banner: { js: readFileSync(path.join(ROOT, "playground/node/script-start.js"), "utf8").trim() },
  });
  const workerJs = worker.outputFiles![0]!.text;
  const page = await esbuild.build({
    ...common,
    entryPoints: [path.join(ROOT, "playground/page/main.ts")],
    plugins: [
      virtual(
        "playground:site",
        `export default ${JSON.stringify({
          reference,
          skeletons: skel,
          parts: PLAYGROUND_PARTS.map((p) => ({ id: p.id, title: p.title, studentFiles: editorFiles(p, reference), tests: p.tests, extraTests: p.extraTests ?? [] })),
        })};`,
      ),
    ],
  });
  const files = new Map<string, string>([
    ["index.html", readFileSync(path.join(ROOT, "playground/page/index.html"), "utf8").replace("{{TITLE}}", reference ? "labs-ts playground (instructor build: reference solution)" : "labs-ts playground")],
    ["worker-source.js", `self.PLAYGROUND_WORKER_SOURCE = ${JSON.stringify(workerJs)};\n`],
    ["app.js", page.outputFiles![0]!.text],
  ]);
  const sizes = new Map<string, number>();
  for (const [name, text] of files) {
    writeFileSync(path.join(outDir, name), text);
    sizes.set(name, Buffer.byteLength(text));
  }
  const inputs = new Set<string>(libFiles);
  for (const r of [worker, page]) for (const k of Object.keys(r.metafile!.inputs)) if (!k.includes(":")) inputs.add(path.resolve(ROOT, k));
  return { sizes, inputs: [...inputs].sort() };
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === import.meta.filename) {
  const o = new Command("playground")
    .option("--out <dir>", "output folder", "build/playground")
    .option("--reference", "instructor build: the reference solution in the editor (never give it to students)")
    .parse()
    .opts<{ out: string; reference?: boolean }>();
  const { sizes } = await buildPlayground(path.resolve(o.out), o.reference === true);
  const total = [...sizes.values()].reduce((a, b) => a + b, 0);
  process.stdout.write(`playground${o.reference === true ? " (REFERENCE: reference solution inside, instructors only)" : ""}: ${o.out}/index.html, ${(total / 1e6).toFixed(1)} MB (${[...sizes].map(([n, b]) => `${n} ${(b / 1e6).toFixed(2)} MB`).join(", ")})\n`);
}
