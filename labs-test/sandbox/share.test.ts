import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { lockdownOnce } from "./lockdown.js";
import { snapshotModule, unchangedSince } from "./module-snapshot.js";
import { shareVerdict } from "./share-check.js";
import { StudentModules } from "./student-modules.js";
import { splitBody, transpileStudentFile } from "./transpile.js";

// A many-seeds worker keeps a student module's instance from one run to the next only when
// the instance is provably what a fresh evaluation would give (share-check.ts, module-
// snapshot.ts); every other module runs its body again. Each way a module can keep state
// must end in a fresh instance, and a module without state must be kept (that is the saving).

lockdownOnce();

const verdict = (source: string): string => {
  const v = splitBody(transpileStudentFile("/x/raft/raft.ts", source)).verdict;
  return "names" in v ? "shared" : v.refused;
};

test("a top level of declarations, literals and functions may be shared; one that runs code may not", () => {
  const shared = [
    'import { now } from "../runtime/index.js";\nconst A = 1;\nconst B = A * 2 + 1;\nexport const C = `x${B}`;\nexport let n = 0;\nvar v;',
    "export enum Role { Follower, Leader = 5, Name = 'x' }\nconst R = Role.Leader;",
    "const O = { a: 1, b: [1, 2, { c: null }], f() { return 1; }, get g() { return 2; }, [Symbol.iterator]: () => 0 };",
    "export class Raft extends Error { static readonly N = 3; static #m() { return 1; } #x = new Map(); y = [1]; m() { return Raft.N; } }",
    "export default function make() { return 1; }\nconst f = () => 2;\nconst re = /a+/g;\nconst max = Number.MAX_SAFE_INTEGER - 1;",
    "interface I { a: number }\ntype T = string;\ndeclare const D: number;",
  ];
  for (const s of shared) expect(verdict(s), s).toBe("shared");
  const refused: Array<[string, RegExp]> = [
    ["const counter = (() => { let n = 0; return () => ++n; })();", /runs code/],
    ["const m = new Map<string, number>();", /runs code/],
    ["const o = { get f() { return 1; } };\nconst f = o.f;", /runs code/],
    ["const a = [1];\nconst b = [...a];", /runs code/],
    ["const o = { a: 1 };\nconst p = { ...o };", /runs code/],
    ["class C { static { } }", /static block/],
    ["class C { static #n = 0; }", /private static field/],
    ["class C { static n = Date.UTC(1, 1); }", /static field/],
    ["const x = { valueOf() { return 1; } };\nconst y = x + 1;", /runs code/],
    ["console.log(1);", /ExpressionStatement/],
    ["if (true) {}", /IfStatement/],
    ["const mk = (b: new () => object) => b;\nclass C extends mk(Object) {}", /extending a computed value/],
    ["const k = { toString() { return 'a'; } };\nconst o = { [k as unknown as string]: 1 };", /runs code/],
    ["const { a } = { a: 1 };", /destructuring/],
    ["enum E { A = 'a'.length + Object.keys({}).length }", /enum member/],
    ["const Math = { get PI() { return 3; } };\nconst x = Math.PI;", /runs code/],
  ];
  for (const [s, why] of refused) expect(verdict(s), s).toMatch(why);
});

test("the names handed over are every top-level binding of the emitted module, TypeScript's helpers too", () => {
  const source = 'import def from "./common.js";\nimport * as ns from "../runtime/index.js";\nlet n = 0;\nexport const K = 1;\nclass C {}\nfunction f() { return [def, ns.now]; }\nexport enum E { A }';
  const v = shareVerdict("/x/raft/raft.ts", source, transpileStudentFile("/x/raft/raft.ts", source));
  expect("names" in v && v.names).toEqual(expect.arrayContaining(["__importDefault", "__importStar", "n", "C", "f", "E"]));
});

test("a snapshot sees every change to what a module reaches, and refuses state it cannot see", () => {
  class K {
    m(): number {
      return 1;
    }
  }
  const inner = { list: [1, 2], f: (): number => 1 };
  const roots = (): unknown[] => [inner, K, 3];
  const snap = snapshotModule(roots());
  if (typeof snap === "string") throw new Error(snap);
  expect(unchangedSince(snap, roots())).toBe(true);
  const changes: Array<[() => void, () => void]> = [
    [() => inner.list.push(3), () => inner.list.pop()],
    [() => ((inner.f as unknown as { n: number }).n = 1), () => delete (inner.f as unknown as { n?: number }).n],
    [() => ((K.prototype as unknown as { x: number }).x = 1), () => delete (K.prototype as unknown as { x?: number }).x],
    [() => ((K as unknown as { s: number }).s = 1), () => delete (K as unknown as { s?: number }).s],
  ];
  for (const [change, undo] of changes) {
    change();
    expect(unchangedSince(snap, roots()), String(change)).toBe(false);
    undo();
    expect(unchangedSince(snap, roots())).toBe(true);
  }
  expect(unchangedSince(snap, [inner, K, 4])).toBe(false);
  Object.preventExtensions(inner.list);
  expect(unchangedSince(snap, roots())).toBe(false);
  expect(snapshotModule([{ m: new Map() }])).toMatch(/cannot see/);
  expect(snapshotModule([{ s: new WeakSet() }])).toMatch(/cannot see/);
  let trapped = false;
  const p = new Proxy({}, { isExtensible: () => ((trapped = true), true) });
  expect(snapshotModule([{ p }])).toMatch(/Proxy/);
  expect(trapped).toBe(false);
  // The built-ins and framework stand-ins are frozen: the walk stops there.
  expect(typeof snapshotModule([Object, Array.prototype])).toBe("object");
});

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

/** StudentModules over a tree holding these student files (raft/…), and raft/raft.ts's path. */
function modules(files: Record<string, string>): { m: StudentModules; raft: string } {
  const root = mkdtempSync(path.join(tmpdir(), "labs-share-"));
  roots.push(root);
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    writeFileSync(path.join(root, f), text);
  }
  return { m: new StudentModules(root), raft: path.join(root, "raft/raft.ts") };
}

/** bump() three times, each in a run of its own: a module whose state carried would count past 1. */
function bumps(files: Record<string, string>): { counts: unknown[]; kept: boolean } {
  const { m, raft } = modules(files);
  const counts: unknown[] = [];
  const first = m.exportsOf(raft);
  let kept = true;
  for (let run = 0; run < 3; run++) {
    if (run > 0 && m.fresh().includes(raft)) kept = false;
    counts.push((m.exportsOf(raft).bump as () => unknown)());
  }
  return { counts, kept: kept && m.exportsOf(raft) === first };
}

test("every way a module keeps state between runs ends in a fresh instance for the next run", () => {
  const stateful: Record<string, Record<string, string>> = {
    "a let": { "raft/raft.ts": "let n = 0;\nexport function bump() { return ++n; }\n" },
    "an exported let": { "raft/raft.ts": "export let n = 0;\nexport function bump() { return ++n; }\n" },
    "a const object": { "raft/raft.ts": "const s = { n: 0 };\nexport function bump() { return ++s.n; }\n" },
    "a const array": { "raft/raft.ts": "const s: number[] = [];\nexport function bump() { s.push(1); return s.length; }\n" },
    "a static field": { "raft/raft.ts": "export class C { static n = 0; }\nexport function bump() { return ++C.n; }\n" },
    "a prototype": { "raft/raft.ts": "class C {}\nexport function bump() { const p = C.prototype as { n?: number }; p.n = (p.n ?? 0) + 1; return p.n; }\n" },
    "a function's property": { "raft/raft.ts": "function g() {}\nexport function bump() { const x = g as unknown as { n?: number }; x.n = (x.n ?? 0) + 1; return x.n; }\n" },
    "a rebound class": { "raft/raft.ts": "class C { static n = 1; }\nexport function bump() { const n = C.n; C = class { static n = n + 1; }; return n; }\n" },
    "a closure made at load": { "raft/raft.ts": "const f = (() => { let n = 0; return () => ++n; })();\nexport function bump() { return f(); }\n" },
    "a Map": { "raft/raft.ts": 'const m = new Map<string, number>();\nexport function bump() { m.set("n", (m.get("n") ?? 0) + 1); return m.get("n"); }\n' },
    "a helper file's let": {
      "raft/raft.ts": 'import { inc } from "./helper.js";\nexport function bump() { return inc(); }\n',
      "raft/helper.ts": "let n = 0;\nexport function inc() { return ++n; }\n",
    },
    "a forged hand-over": { "raft/raft.ts": 'let n = 0;\nexport function bump() { return ++n; }\n// @ts-ignore\nreturn ["labs-", () => []];\n' },
  };
  for (const [how, files] of Object.entries(stateful)) {
    const { counts, kept } = bumps(files);
    expect(counts, how).toEqual([1, 1, 1]);
    expect(kept, how).toBe(false);
  }
});

test("a module without state, and the stateless files it imports, keep one instance for every run", () => {
  const { counts, kept } = bumps({
    "raft/raft.ts": [
      'import { now } from "../runtime/index.js";',
      'import { K, Role } from "./helper.js";',
      "const LOST = { ok: false, list: [1, 2] };",
      "export class Raft { role = Role.Leader; m() { return LOST.ok ? now() : K; } }",
      "export function bump() { const r = new Raft(); r.m(); return LOST.list.length - 1; }",
    ].join("\n"),
    "raft/helper.ts": "export const K = 3;\nexport enum Role { Follower, Leader }\n",
  });
  expect(counts).toEqual([1, 1, 1]);
  expect(kept).toBe(true);
});
