import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { globSync } from "glob";
import { afterAll, describe, expect, test } from "vitest";
import { findPart, PARTS, studentFilesIn } from "../labs.js";
import { checkStudentFiles, formatProblem, staticCheckParts } from "./static-check.js";

// Lab code and the framework get time and randomness only from runtime/; anything else
// would escape the virtual clock and the seed, and break replay. (Patterns are built
// from pieces so that this file does not match itself.)
const FORBIDDEN: Array<[RegExp, string]> = [
  [new RegExp("\\bset" + "Timeout\\b"), "setTimeout"],
  [new RegExp("\\bset" + "Interval\\b"), "setInterval"],
  [new RegExp("\\bset" + "Immediate\\b"), "setImmediate"],
  [new RegExp("\\bDate\\s*\\.\\s*" + "now\\b"), "Date.now"],
  [new RegExp("\\bnew\\s+" + "Date\\b"), "new Date"],
  [new RegExp("(^|[^.\\w])" + "Date\\s*\\("), "Date()"],
  [new RegExp("\\bperformance\\s*\\.\\s*" + "now\\b"), "performance.now"],
  [new RegExp("\\bMath\\s*\\.\\s*" + "random\\b"), "Math.random"],
  [new RegExp("\\bprocess\\s*\\.\\s*" + "hrtime\\b"), "process.hrtime"],
];

/** Marks a line that only names a forbidden value (a codec test building a Date). */
const ALLOW = "static-check: " + "allow";

export function forbiddenUses(files: string[]): string[] {
  const found: string[] = [];
  for (const f of files) {
    const lines = readFileSync(f, "utf8").split("\n");
    lines.forEach((line, i) => {
      if (line.includes(ALLOW)) return;
      for (const [re, what] of FORBIDDEN) {
        if (re.test(line)) found.push(`${f}:${i + 1}: uses ${what}: ${line.trim()}`);
      }
    });
  }
  return found;
}

/**
 * The folders .gitignore names (out/, mr-tmp/, handout/ …), as glob ignores: what a make
 * target or a run writes there is not the project's code, and a stale copy in out/ must
 * not fail the check.
 */
export function gitignoredFolders(gitignore: string): string[] {
  return gitignore
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.endsWith("/") && !l.startsWith("#") && !l.startsWith("!"))
    .map((l) => (l.startsWith("/") ? `${l.slice(1)}**` : `**/${l}**`));
}

test("no file outside runtime/ reads the clock or Math's randomness directly", () => {
  const ignored = gitignoredFolders(readFileSync(".gitignore", "utf8"));
  const files = globSync("**/*.{ts,js,mjs,cjs}", {
    // The checker and its policy name the forbidden values as data.
    ignore: ["labs-test/tools/static-check.test.ts", "labs-test/tools/static-check.ts", "labs-test/sandbox/policy.ts",
      // The playground's stand-ins for Node's timers and process in the browser: they
      // implement the platform the runtime runs on, as runtime/ implements the clocks.
      "playground/node/**", "node_modules/**", "build/**", "runtime/**", "handout/**", ".labs-runs/**", "**/*.d.ts", ...ignored],
  });
  expect(files.length).toBeGreaterThan(10);
  const found = forbiddenUses(files);
  expect(found, `use now(), sleep(), after() and randInt() from runtime/ instead:\n${found.join("\n")}`).toEqual([]);
});

test("gitignored folders are left out, wherever they sit", () => {
  expect(gitignoredFolders("node_modules/\nout/\n# note/\n*.trace.jsonl\n/build/\n!keep/\n")).toEqual(["**/node_modules/**", "**/out/**", "build/**"]);
});

test("the check catches each forbidden use", () => {
  const samples = [
    "set" + "Timeout(f, 1)",
    "const t = Date" + ".now();",
    "new " + "Date()",
    "performance" + ".now()",
    "Math" + ".random()",
    "set" + "Interval(f, 5)",
    "set" + "Immediate(f)",
  ];
  for (const s of samples) {
    expect(FORBIDDEN.some(([re]) => re.test(s)), s).toBe(true);
  }
  expect(FORBIDDEN.some(([re]) => re.test("if (v instanceof Date) throw")), "instanceof is allowed").toBe(false);
  expect(FORBIDDEN.some(([re]) => re.test("x.update()")), "ordinary words are allowed").toBe(false);
});

// ---- the checker of student code (static-check.ts) ----

describe("the static check of student code", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "static-check-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const check = (text: string, extra: Record<string, string> = {}): string[] => {
    const files = { "raft/raft.ts": text, ...extra };
    for (const [f, t] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      writeFileSync(path.join(dir, f), t);
    }
    return checkStudentFiles(dir, ["raft/raft.ts"], Object.keys(files)).map(formatProblem);
  };

  test("the reference's and the student-style Raft's files pass", () => {
    const all = [...new Set(PARTS.filter((p) => !p.realProcesses).flatMap((p) => studentFilesIn(p, ".")))];
    expect(all.length).toBeGreaterThan(5);
    expect(checkStudentFiles(".", all).map(formatProblem)).toEqual([]);
    expect(checkStudentFiles(".", ["raft/reference/student-raft/raft.ts"]).map(formatProblem)).toEqual([]);
  });

  test("each refused use is named with file:line and why", () => {
    const cases: Array<[string, RegExp]> = [
      ['export * from "./reference/student-raft/raft.js";', /raft\/raft\.ts:2: imports "\.\/reference\/student-raft\/raft\.js" \(raft\/reference\/student-raft\/raft\.ts\): student code may import only/],
      ['import { x } from "../node_modules/../labs-test/harness/registry.js";', /raft\/raft\.ts:2: imports .*labs-test\/harness\/registry\.ts/],
      ['import { readFileSync } from "node:fs";', /raft\/raft\.ts:2: imports "node:fs"/],
      ['import { world } from "../runtime/index.js";', /imports world from "\.\.\/runtime\/index\.js", which student code cannot use/],
      ["const s = process.send;", /raft\/raft\.ts:2: uses process: student code cannot see the process/],
      ["globalThis.x = 1;", /uses globalThis/],
      ['const v = eval("1");', /uses eval/],
      ['const f = new Function("return 1");', /uses Function/],
      ['const m = await import("./x.js");', /uses dynamic import\(\)/],
      ["const t = set" + "Timeout(() => {}, 10);", /uses setTimeout: use sleep\(\) or after\(\)/],
      ["const t = Date.now();", /uses Date\.now/],
      ["const t = new Date();", /reads the clock with Date/],
      ["const r = Math.random();", /uses Math\.random/],
      ['const r = Math["ran" + "dom"]();', /computed access to Math/],
      ["const u = import.meta.url;", /uses import\.meta/],
      ['const p = (() => 0).constructor("return 1")();', /calls a \.constructor property/],
      ['const c = Reflect.get(Object, "constructor");', /names "constructor" as a string/],
      ["Promise.race = () => Promise.resolve();", /changes the built-in Promise/],
      ["(Array.prototype as unknown as { push: unknown }).push = 1;", /changes the built-in Array/],
      ['import * as rt from "../runtime/index.js";\n(rt.Channel.prototype as unknown as { recv: unknown }).recv = 1;', /raft\/raft\.ts:3: changes rt, which a course module exports/],
      ['import { RpcError } from "../labrpc/index.js";\nRpcError.prototype.name = "x";', /changes RpcError, which a course module exports/],
      ["(Object.getPrototypeOf(new Uint8Array()) as { x: number }).x = 1;", /changes a prototype reached with getPrototypeOf/],
    ];
    for (const [code, want] of cases) {
      const got = check(`// a student's Raft\n${code}\n`);
      expect(got.join("\n"), code).toMatch(want);
    }
  });

  test("a part's files import only that part's student files (what its grade installs)", () => {
    const tree = path.join(dir, "parts");
    const put = (f: string, t: string): void => {
      mkdirSync(path.dirname(path.join(tree, f)), { recursive: true });
      writeFileSync(path.join(tree, f), t);
    };
    put("raft/raft.ts", '// a Raft that borrows from Lab 3\nimport { helper } from "../kvraft/common.js";\nexport const x = helper;\n');
    put("kvraft/common.ts", "export const helper = 1;\n");
    put("kvraft/server.ts", 'import { x } from "../raft/raft.js";\nimport { helper } from "./common.js";\nexport const y = x + helper;\n');
    expect(staticCheckParts(tree, [findPart("2A")!])).toEqual([
      'raft/raft.ts:2: imports "../kvraft/common.js" (kvraft/common.ts), a student file of another lab part: a part is graded with its own files only',
    ]);
    // Within 3A (graded with Raft's files and kvraft's) both imports are the part's own.
    expect(staticCheckParts(tree, [findPart("3A")!])).toEqual([]);
  });

  test("honest code passes: local names, type-only imports, property names, the course's API", () => {
    const honest = [
      'import type { ClientEnd } from "../labrpc/index.js";',
      'import { decode, encode } from "../labrpc/index.js";',
      'import * as rt from "../runtime/index.js";',
      'import { helper } from "./helper.js";',
      "export function f(peers: ClientEnd[], process: number): number {",
      "  const self = { eval: 1, global: 2 };",
      "  const d = new Date(0);",
      "  const cb: Function | undefined = undefined;",
      "  return peers.length + process + self.eval + helper() + rt.now() + d.getTime() + (cb === undefined ? 0 : 1) + decode(encode(1)) as number;",
      "}",
    ].join("\n");
    expect(check(honest, { "raft/helper.ts": "export const helper = (): number => 1;\n" })).toEqual([]);
  });
});
