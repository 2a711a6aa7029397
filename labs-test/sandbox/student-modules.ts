// Student code runs here: every student file is transpiled (transpile.ts) and evaluated in
// one SES Compartment per process, whose globals are the frozen intrinsics plus a few
// hardened stand-ins (policy.ts EXTRA_GLOBALS) and whose `require` offers only the allowed
// framework modules' stand-ins (facades.ts) and other student files. The tests never load a
// student file themselves: their import of raft/raft.ts resolves to a trusted stand-in
// module (shim.ts) whose exports are bound by bindStudentModule("…/raft/raft.ts").
//
// A worker that runs many (test, seed) runs starts each with fresh student modules
// (freshStudentModules): every module body runs again, so nothing a student keeps in a
// module-level variable carries from one run to the next, and a seed's run is the same
// whichever runs came before it in the process. Each file is compiled once per process (its
// module function is made again, not its text evaluated again); the compartment's global
// object is frozen, so it cannot carry state either.
//
// lockdown() must have run in this process first (lockdown.ts); everything here assumes
// frozen intrinsics.
import { readFileSync } from "node:fs";
import path from "node:path";
import { inspect } from "node:util";
import { frameworkFacades, toStudent } from "./facades.js";
import { lockdownOnce } from "./lockdown.js";
import { preparedBody } from "./prepared.js";
import { EXTRA_GLOBALS, FRAMEWORK_API, FRAMEWORK_IN_COMPARTMENT, REFUSED_NAMES } from "./policy.js";
import { studentFilesUnder } from "./student-shims.js";
import { TranspileError, transpileStudentFile } from "./transpile.js";

/** The project (or grading tree) root: student files and framework paths are relative to it. */
export const ROOT = path.resolve(import.meta.dirname, "../..");

/** A student file's code could not be loaded (bad import, syntax); the message names file:line. */
export class StudentLoadError extends Error {}


interface Loaded {
  exports: Record<string, unknown>;
}

/** A compiled student file: called with the globals, it makes a fresh module function. */
type ModuleMaker = (...g: unknown[]) => (r: (s: string) => unknown, e: object, m: object) => void;

const PRINT = { customInspect: false, getters: false, showProxy: true, depth: 4, breakLength: 120 } as const;

/** console for student code: prints, and never hands a host object (inspect, options) to student code. */
function studentConsole(): object {
  const line = (args: unknown[]): string => args.map((a) => (typeof a === "string" ? a : inspect(a, PRINT))).join(" ");
  const out = (...a: unknown[]): void => {
    process.stdout.write(`${line(a)}\n`);
  };
  const err = (...a: unknown[]): void => {
    process.stderr.write(`${line(a)}\n`);
  };
  return harden({ log: out, info: out, debug: out, warn: err, error: err, trace: err });
}

function extraGlobals(): Record<string, unknown> {
  const g: Record<string, unknown> = {
    console: studentConsole(),
    TextEncoder: harden(TextEncoder),
    TextDecoder: harden(TextDecoder),
    structuredClone: harden((v: unknown) => structuredClone(v)),
    queueMicrotask: harden((f: () => void) => queueMicrotask(() => f())),
    atob: harden((s: string) => atob(s)),
    btoa: harden((s: string) => btoa(s)),
  };
  for (const k of EXTRA_GLOBALS) if (!(k in g)) throw new Error(`sandbox: no stand-in for the global ${k}`);
  return g;
}

const ALLOWED = [...Object.keys(FRAMEWORK_API), ...FRAMEWORK_IN_COMPARTMENT].join(", ");

const IDENT = /^[A-Za-z_$][\w$]*$/;
/** Never bound as a fast local: the check refuses them, and the compartment's own must stay. */
const NOT_BOUND = new Set(["eval", "Function", "globalThis", "arguments"]);
/** The module function's own parameters (CommonJS's), which shadow any global of the name. */
const MODULE_PARAMS = new Set(["require", "exports", "module"]);

/** The files a student's `require` may load: the student files as they are on disk now, and the framework's own compartment files. */
function compartmentFileSet(): Set<string> {
  return new Set([...studentFilesUnder(ROOT), ...FRAMEWORK_IN_COMPARTMENT.map((f) => path.join(ROOT, f))]);
}

class StudentRealm {
  private readonly compartment: Compartment;
  private files: Set<string>;
  /** The module instances of the current run, by file. */
  private readonly cache = new Map<string, Loaded>();
  private readonly makers = new Map<string, ModuleMaker>();
  private readonly facades = frameworkFacades();
  /** The compartment's globals bound as parameters around each module: no `with` lookups in hot code. */
  private readonly boundNames: string[];
  private readonly boundValues: unknown[];

  constructor() {
    // A refused or broken import throws these into the student's `require` call.
    harden(StudentLoadError);
    harden(TranspileError);
    this.files = compartmentFileSet();
    this.compartment = new Compartment({ globals: extraGlobals(), __options__: true });
    const g = this.compartment.globalThis as Record<string, unknown>;
    this.boundNames = Object.getOwnPropertyNames(g).filter((n) => IDENT.test(n) && !NOT_BOUND.has(n));
    this.boundValues = this.boundNames.map((n) => g[n]);
    // SES's scope answers undefined for a name the compartment lacks, so `process.exit()`
    // would fail as "reading 'exit' of undefined": a host name the policy refuses reads as
    // a ReferenceError that says why instead. (Never bound above: reading it throws.)
    for (const [name, why] of Object.entries(REFUSED_NAMES)) {
      if (name in g || MODULE_PARAMS.has(name)) continue;
      Object.defineProperty(g, name, {
        get(): never {
          throw new ReferenceError(`${name} is not defined in student code: ${why}`);
        },
      });
    }
    // Frozen: a property a student puts on the compartment's global object (reached through
    // the compartment's own eval or Function) would outlive the run's fresh modules.
    harden(g);
  }

  /** Forget every module instance: the next load of each file runs its body again. */
  fresh(): void {
    this.cache.clear();
  }

  /** Forget every compiled file and which student files exist: the next load reads the disk again. */
  forgetSources(): void {
    this.makers.clear();
    this.files = compartmentFileSet();
  }

  /** The file's module maker, compiled in the compartment on first use. */
  private makerOf(file: string, from?: string): ModuleMaker {
    const hit = this.makers.get(file);
    if (hit !== undefined) return hit;
    const rel = path.relative(ROOT, file);
    let source: string;
    try {
      source = readFileSync(file, "utf8");
    } catch {
      throw new StudentLoadError(`${from ?? "the tests"} import ${rel}, which does not exist`);
    }
    // The grader prepared it (prepared.ts) unless this is make test-XX or the file changed.
    const body = preparedBody(ROOT, file, source) ?? transpileStudentFile(file, source);
    // The module function sits inside a function whose parameters are the globals, so that
    // a student's own top-level `const Map = …` shadows them rather than clashing. Each call
    // of the outer function makes a new module function, with its own module-level scope.
    const wrapper = `(function (${this.boundNames.join(", ")}) { return function (require, exports, module) {${body}\n}; })\n//# sourceURL=${file}\n`;
    const make = this.compartment.evaluate(wrapper) as ModuleMaker;
    this.makers.set(file, make);
    return make;
  }

  load(file: string, from?: string): Loaded {
    const hit = this.cache.get(file);
    if (hit !== undefined) return hit;
    const make = this.makerOf(file, from);
    const mod = { exports: {} as Record<string, unknown> };
    const loaded: Loaded = mod;
    this.cache.set(file, loaded);
    const require = harden((spec: string) => this.require(file, spec));
    make(...this.boundValues)(require, mod.exports, mod);
    return loaded;
  }

  private require(from: string, spec: string): unknown {
    const fromRel = path.relative(ROOT, from);
    if (typeof spec !== "string" || !(spec.startsWith("./") || spec.startsWith("../"))) {
      throw new StudentLoadError(`${fromRel}: cannot import ${JSON.stringify(spec)}: student code imports only its own files and the course's modules (${ALLOWED})`);
    }
    const abs = path.resolve(path.dirname(from), spec.replace(/\.js$/, ".ts"));
    const rel = path.relative(ROOT, abs).split(path.sep).join("/");
    const facade = this.facades.get(rel);
    if (facade !== undefined) return facade;
    if (this.files.has(abs)) return this.load(abs, fromRel).exports;
    throw new StudentLoadError(
      `${fromRel}: cannot import ${JSON.stringify(spec)} (${rel}): student code imports only its own files and the course's modules (${ALLOWED})`,
    );
  }
}

let realm: StudentRealm | undefined;

/** Each stand-in module's setter of its exports, by student file, in the order they were bound. */
const bound = new Map<string, Array<(exports: Record<string, unknown>) => void>>();

/** A student file's exports as the tests see them, from the current run's module instance. */
function exportsOf(r: StudentRealm, file: string): Record<string, unknown> {
  const raw = r.load(file).exports;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(raw)) out[k] = entry(raw[k]);
  return out;
}

/**
 * Give a stand-in module (shim.ts) the exports of the student file `file` (absolute path),
 * now and again after each freshStudentModules(): its functions and classes wrapped so that
 * what the tests pass in (client ends, persisters, channels) arrives as stand-ins
 * (facades.ts toStudent). Loads the file and what it imports on first use.
 * @throws StudentLoadError for a file outside the student files or a refused import; what
 * the student's module code throws.
 */
export function bindStudentModule(file: string, set: (exports: Record<string, unknown>) => void): void {
  lockdownOnce();
  realm ??= new StudentRealm();
  set(exportsOf(realm, file));
  bound.set(file, [...(bound.get(file) ?? []), set]);
}

/**
 * Start a run with fresh student modules: every bound student file (and what it imports)
 * is evaluated again, and the stand-ins' exports now name the new instances. Nothing of a
 * previous run's module-level state is reachable after it. A no-op before any student
 * file is loaded. The seed worker calls it before each run.
 * @throws what loading a student file throws (bindStudentModule).
 */
export function freshStudentModules(): void {
  if (realm === undefined) return;
  realm.fresh();
  for (const [file, setters] of bound) {
    const ex = exportsOf(realm, file);
    for (const set of setters) set(ex);
  }
}

/**
 * Forget the compiled code of every student file, and which student files exist: the next
 * freshStudentModules() reads each file (or its prepared body, prepared.ts) from disk again,
 * so a process that outlives a save runs the saved code (make watch-XX's resident test
 * process, labs-test/tools/watch-worker.ts). Module instances already handed out stay as
 * they are until then. A no-op before any student file is loaded.
 */
export function forgetStudentSources(): void {
  realm?.forgetSources();
}

const wrapped = new WeakMap<object, unknown>();

/** An exported function or class whose arguments become stand-ins; other values as they are. */
function entry(v: unknown): unknown {
  if (typeof v !== "function") return v;
  const f = v as (...a: unknown[]) => unknown;
  const hit = wrapped.get(f);
  if (hit !== undefined) return hit;
  const p: typeof f = new Proxy(f, {
    apply: (target, self, args: unknown[]): unknown => Reflect.apply(target, self, args.map(toStudent)),
    construct: (target, args: unknown[], nt: object): object => Reflect.construct(target, args.map(toStudent), nt === p ? target : (nt as typeof f)) as object,
  });
  wrapped.set(f, p);
  return p;
}
