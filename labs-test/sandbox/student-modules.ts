// Student code runs here: every student file is transpiled (transpile.ts) and evaluated in
// one SES Compartment per process, whose globals are the frozen intrinsics plus a few
// hardened stand-ins (policy.ts EXTRA_GLOBALS) and whose `require` offers only the allowed
// framework modules' stand-ins (facades.ts) and other student files. The tests never load a
// student file themselves: their import of raft/raft.ts resolves to a trusted stand-in
// module (shim.ts) whose exports are bound by bindStudentModule("…/raft/raft.ts").
//
// A worker that runs many (test, seed) runs starts each with fresh student modules
// (freshStudentModules): nothing a student keeps in a module-level variable carries from one
// run to the next, and a seed's run is the same whichever runs came before it in the
// process. A module whose top level keeps no hidden state (share-check.ts) and whose every
// reachable value a run left exactly as its evaluation did (module-snapshot.ts), and whose
// student imports are kept too, is kept for the next run: it is then indistinguishable
// from a fresh one, and the framework code that handles its classes' instances keeps
// meeting the same object shapes (new classes every run cost a third more CPU in the runs).
// Every other module body runs again. Each file is compiled once per process (its module
// function is made again, not its text evaluated again); the compartment's global object is
// frozen, so it cannot carry state either.
//
// lockdown() must have run in this process first (lockdown.ts); everything here assumes
// frozen intrinsics.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { inspect } from "node:util";
import { frameworkFacades, toStudent } from "./facades.js";
import { type ModuleSnapshot, snapshotModule, unchangedSince } from "./module-snapshot.js";
import { lockdownOnce } from "./lockdown.js";
import { preparedBody } from "./prepared.js";
import { EXTRA_GLOBALS, FRAMEWORK_API, FRAMEWORK_IN_COMPARTMENT, REFUSED_NAMES } from "./policy.js";
import { studentFilesUnder } from "./student-shims.js";
import { splitBody, TranspileError, transpileStudentFile } from "./transpile.js";

/** The project (or grading tree) root: student files and framework paths are relative to it. */
export const ROOT = path.resolve(import.meta.dirname, "../..");

/** A student file's code could not be loaded (bad import, syntax); the message names file:line. */
export class StudentLoadError extends Error {}


interface Loaded {
  /** The `module` object the student's code got: its `exports` are the module's exports. */
  mod: { exports: Record<string, unknown> };
  /** The student files this instance imported: it is dropped with any of them. */
  deps: Set<string>;
  /** Its top-level bindings' current values, exports and module object (shareable modules only). */
  roots?: () => unknown[];
  /** What roots() reached right after the module was evaluated. */
  snapshot?: ModuleSnapshot;
}

/** A compiled student file: called with the globals, it makes a fresh module function. */
type ModuleMaker = (...g: unknown[]) => (r: (s: string) => unknown, e: object, m: object) => unknown;

/**
 * What a shareable module's function returns after its last statement: this process's
 * secret, then a function reading its top-level bindings. Student code cannot know the
 * secret (it is in no scope of theirs), so a top-level `return` of theirs cannot pass for it.
 */
const SECRET = `labs-${randomUUID()}`;

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

/** The files a student's `require` may load under root: the student files as they are on disk now, and the framework's own compartment files. */
function compartmentFileSet(root: string): Set<string> {
  return new Set([...studentFilesUnder(root), ...FRAMEWORK_IN_COMPARTMENT.map((f) => path.join(root, f))]);
}

/**
 * The student modules of one process: one compartment, each file compiled once, module
 * instances by file. Used through bindStudentModule/freshStudentModules by the stand-in
 * modules, or directly by a runner that keeps a process for many runs (and by tests, with
 * a root of their own).
 */
export class StudentModules {
  private readonly compartment: Compartment;
  private files: Set<string>;
  /** The module instances of the current run, by file. */
  private readonly cache = new Map<string, Loaded>();
  private readonly makers = new Map<string, ModuleMaker>();
  private readonly facades = frameworkFacades();
  /** The compartment's globals bound as parameters around each module: no `with` lookups in hot code. */
  private readonly boundNames: string[];
  private readonly boundValues: unknown[];

  /** `root`: the project or grading tree whose student files (student-shims.ts) these are. */
  constructor(private readonly root: string = ROOT) {
    // A refused or broken import throws these into the student's `require` call.
    harden(StudentLoadError);
    harden(TranspileError);
    this.files = compartmentFileSet(root);
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

  /**
   * Forget every module instance a run may have changed, and those importing one: the
   * next load of each runs its body again. An instance is kept when its file is shareable
   * (share-check.ts) and a snapshot finds everything it reaches as its evaluation left it.
   * Call between runs. Returns the files (absolute) whose instance was dropped.
   */
  fresh(): string[] {
    const drop = new Set<string>();
    for (const [file, m] of this.cache) {
      if (m.snapshot === undefined || m.roots === undefined || !unchangedSince(m.snapshot, m.roots())) drop.add(file);
    }
    for (let more = drop.size > 0; more; ) {
      more = false;
      for (const [file, m] of this.cache) {
        if (!drop.has(file) && [...m.deps].some((d) => drop.has(d))) {
          drop.add(file);
          more = true;
        }
      }
    }
    for (const f of drop) this.cache.delete(f);
    return [...drop];
  }

  /**
   * The student file's exports (absolute path) from its current instance, evaluating it
   * (and what it imports) if it has none: the student's own object, not wrapped.
   * @throws StudentLoadError, TranspileError, or what the module's code throws.
   */
  exportsOf(file: string): Record<string, unknown> {
    return this.load(file).mod.exports;
  }

  /** Forget every compiled file and which student files exist: the next load reads the disk again. */
  forgetSources(): void {
    this.makers.clear();
    this.cache.clear();
    this.files = compartmentFileSet(this.root);
  }

  /** The file's module maker, compiled in the compartment on first use. */
  private makerOf(file: string, from?: string): ModuleMaker {
    const hit = this.makers.get(file);
    if (hit !== undefined) return hit;
    const rel = path.relative(this.root, file);
    let source: string;
    try {
      source = readFileSync(file, "utf8");
    } catch {
      throw new StudentLoadError(`${from ?? "the tests"} import ${rel}, which does not exist`);
    }
    // The grader prepared it (prepared.ts) unless this is make test-XX or the file changed.
    const { body, verdict } = splitBody(preparedBody(this.root, file, source) ?? transpileStudentFile(file, source));
    // The module function sits inside a function whose parameters are the globals, so that
    // a student's own top-level `const Map = …` shadows them rather than clashing. Each call
    // of the outer function makes a new module function, with its own module-level scope.
    // A shareable module's function ends by handing over its bindings (SECRET).
    const tail = "names" in verdict ? `\n;return [${JSON.stringify(SECRET)}, () => [${verdict.names.join(", ")}]];` : "";
    const wrapper = `(function (${this.boundNames.join(", ")}) { return function (require, exports, module) {${body}${tail}\n}; })\n//# sourceURL=${file}\n`;
    const make = this.compartment.evaluate(wrapper) as ModuleMaker;
    this.makers.set(file, make);
    return make;
  }

  private load(file: string, from?: string): Loaded {
    const hit = this.cache.get(file);
    if (hit !== undefined) return hit;
    const make = this.makerOf(file, from);
    const mod = { exports: {} as Record<string, unknown> };
    const loaded: Loaded = { mod, deps: new Set() };
    this.cache.set(file, loaded);
    const require = harden((spec: string) => this.require(file, spec, loaded.deps));
    const done = make(...this.boundValues)(require, mod.exports, mod);
    // Reading done[0] may run student code (a getter on a value of their own `return`): it cannot produce SECRET.
    if (Array.isArray(done) && done[0] === SECRET) {
      const bindings = done[1] as () => unknown[];
      loaded.roots = () => [...bindings(), mod, mod.exports];
      const snap = snapshotModule(loaded.roots());
      if (typeof snap !== "string") loaded.snapshot = snap;
    }
    return loaded;
  }

  private require(from: string, spec: string, deps: Set<string>): unknown {
    const fromRel = path.relative(this.root, from);
    if (typeof spec !== "string" || !(spec.startsWith("./") || spec.startsWith("../"))) {
      throw new StudentLoadError(`${fromRel}: cannot import ${JSON.stringify(spec)}: student code imports only its own files and the course's modules (${ALLOWED})`);
    }
    const abs = path.resolve(path.dirname(from), spec.replace(/\.js$/, ".ts"));
    const rel = path.relative(this.root, abs).split(path.sep).join("/");
    const facade = this.facades.get(rel);
    if (facade !== undefined) return facade;
    if (this.files.has(abs)) {
      deps.add(abs);
      return this.load(abs, fromRel).mod.exports;
    }
    throw new StudentLoadError(
      `${fromRel}: cannot import ${JSON.stringify(spec)} (${rel}): student code imports only its own files and the course's modules (${ALLOWED})`,
    );
  }
}

let realm: StudentModules | undefined;

/** Each stand-in module's setter of its exports, by student file, in the order they were bound. */
const bound = new Map<string, Array<(exports: Record<string, unknown>) => void>>();

/** A student file's exports as the tests see them, from the current run's module instance. */
function exportsOf(r: StudentModules, file: string): Record<string, unknown> {
  const raw = r.exportsOf(file);
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
  realm ??= new StudentModules();
  set(exportsOf(realm, file));
  bound.set(file, [...(bound.get(file) ?? []), set]);
}

/**
 * Start a run with fresh student modules: every bound student file (and what it imports)
 * is evaluated again unless its instance is provably as a fresh one would be
 * (StudentModules.fresh), and the stand-ins' exports now name the current instances.
 * Nothing of a previous run's module-level state is reachable after it. A no-op before
 * any student file is loaded. The seed worker calls it before each run.
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
