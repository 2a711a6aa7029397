// `make handout`: the student tree type-checks, runs, fails clearly where stubbed, passes
// again with the reference files put back, is the same every time, and leaks nothing of
// the reference solution. One generation (two, for determinism) serves every test here.
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { GradedResult } from "../harness/graded.js";
import { readGradedResults } from "../harness/run-graded.js";
import { PARTS, studentFilesIn, testsToRun, type LabPart } from "../labs.js";
import { dropped } from "./handout-tree.js";
import { HandoutError, writeHandout } from "./handout.js";
import { identifiers, solutionOnlyIdentifiers } from "./solution-identifiers.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
/** The course's limit per test, plus the watchdog's second. */
const LIMIT_MS = 121_000;
/** The marker word, in pieces so that this file holds no marker (it is not shipped anyway). */
const WORD = ["SOLU", "TION"].join("");
const MARK = (kind: string, tag = ""): string => `// ${WORD} ${kind}${tag === "" ? "" : ` ${tag}`}`;

let tmp = "";
/** A handout, node_modules linked in. */
let ho = "";

function filesUnder(dir: string, rel = ""): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const r = rel === "" ? e.name : `${rel}/${e.name}`;
    if (e.name === "node_modules" || e.name === ".labs-runs") continue;
    if (e.isDirectory()) out.push(...filesUnder(dir, r));
    else out.push(r);
  }
  return out;
}

function linkModules(dir: string): void {
  symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
}

/**
 * `make test-<ids>` in dir (the runner the Makefile calls), with a fixed seed and, if
 * given, RUN=run (Go's -run regex); per-test results.
 */
async function runParts(
  dir: string,
  ids: string[],
  seed: number,
  run?: string,
): Promise<{ results: GradedResult[]; closing: string; output: string }> {
  const results = path.join(dir, `results-${ids.join("-")}.jsonl`);
  rmSync(results, { force: true });
  const r = await execa("node_modules/.bin/tsx", ["labs-test/tools/run.ts", ...ids], {
    cwd: dir,
    env: { SEED: String(seed), LABS_RESULTS: results, FORCE_COLOR: "0", ...(run === undefined ? {} : { RUN: run }) },
    all: true,
    reject: false,
  });
  const output = r.all ?? "";
  return { results: readGradedResults(results), closing: output.trim().split("\n").at(-1) ?? "", output };
}

const raftParts = ["2A", "2B", "2C", "2D"];
const kvParts = ["3A", "3B"];
const shardParts = ["4A", "4B", "challenge"];
const part = (id: string): LabPart => PARTS.find((p) => p.id === id)!;
/**
 * The stubbed handout's runs: every graded test of Labs 2 and 3; of Lab 4, the course's
 * 4A tests (its skeleton fails at once) and two 4B tests, which with a stub Raft and shardkv can only
 * end at the 120 s virtual limit, so that the wall time stays small.
 */
const STUBBED_RUNS: ReadonlyArray<{ ids: string[]; names: string[] }> = [
  { ids: raftParts, names: raftParts.flatMap((id) => part(id).tests) },
  { ids: kvParts, names: kvParts.flatMap((id) => part(id).tests) },
  { ids: ["4A"], names: part("4A").tests },
  { ids: ["4B"], names: ["TestStaticShards", "TestJoinLeave"] },
];

beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), "handout-test-"));
  // Open to other users, as a checkout is: the round trip's make test runs the pool's
  // tests that start workers as a uid of their own (as root), which must reach the tree.
  chmodSync(tmp, 0o755);
  ho = path.join(tmp, "a");
  writeHandout(ROOT, ho);
  linkModules(ho);
});

afterAll(() => {
  if (tmp !== "") rmSync(tmp, { recursive: true, force: true });
});

describe("the student tree", () => {
  test("two runs give byte-identical trees (contents and modes)", () => {
    const b = path.join(tmp, "b");
    writeHandout(ROOT, b);
    const fa = filesUnder(ho);
    expect(filesUnder(b)).toEqual(fa);
    for (const f of fa) {
      expect(readFileSync(path.join(b, f)).equals(readFileSync(path.join(ho, f))), f).toBe(true);
      expect(statSync(path.join(b, f)).mode, f).toBe(statSync(path.join(ho, f)).mode);
    }
    rmSync(b, { recursive: true });
  });

  test("nothing of the reference solution, its tests or its notes leaks into it", () => {
    const files = filesUnder(ho);
    const leaks: string[] = [];
    for (const f of files) {
      if (f.split("/").includes("reference")) leaks.push(`${f}: a reference folder`);
      if (f !== "README.md" && dropped(f)) leaks.push(`${f}: on the drop list`);
      if (readFileSync(path.join(ho, f), "utf8").includes(WORD)) leaks.push(`${f}: holds the marker word`);
    }
    // Identifiers that occur only inside solution regions of the repo must occur nowhere in
    // the handout. Framework files count as shipped text; notes (*.md) must not mention
    // solution internals.
    const student = new Set(PARTS.flatMap((p) => studentFilesIn(p, ROOT)));
    let framework = "";
    for (const f of files) if (!student.has(f) && !f.endsWith(".md")) framework += readFileSync(path.join(ROOT, f), "utf8");
    const unique = solutionOnlyIdentifiers(ROOT, framework);
    expect(unique).toEqual(expect.arrayContaining(["untilCommitted", "handleVote", "preVote", "idProblem"]));
    for (const f of files) {
      const mine = identifiers(readFileSync(path.join(ho, f), "utf8"));
      const found = unique.filter((w) => mine.has(w));
      if (found.length > 0) leaks.push(`${f}: solution identifiers ${found.slice(0, 8).join(", ")}`);
    }
    expect(leaks).toEqual([]);
  });

  test("its Makefile has no instructor targets, and no recipe names a file the handout lacks", async () => {
    const text = readFileSync(path.join(ho, "Makefile"), "utf8");
    expect(text).not.toMatch(/INSTRUCTOR (BEGIN|END)/);
    // Variables expanded once (RUNNER names the runner), then every path-like word of
    // every recipe line; node_modules is installed, not shipped.
    const vars = new Map<string, string>();
    for (const m of text.matchAll(/^([A-Z_]+)\s*:?=\s*(.*)$/gm)) vars.set(m[1]!, m[2]!);
    const missing: string[] = [];
    let target = "";
    for (const line of text.split("\n")) {
      const head = /^([^\s#:=][^:=]*):(?!=)/.exec(line);
      if (head !== null) target = head[1]!.trim();
      if (!line.startsWith("\t")) continue;
      const expanded = line.replace(/\$\(([A-Z_]+)\)/g, (all, v: string) => vars.get(v) ?? all);
      for (const w of expanded.split(/[\s'"(),;|{}]+/)) {
        // A path (with a folder), or a bare .json/.ts file (tsconfig.mr.json); not "Node.js".
        const file = /^[\w.-]+(\/[\w.-]+)+\.(ts|js|mjs|json|sh)$/.test(w) || /^[\w.-]+\.(json|ts)$/.test(w);
        if (!file || w.startsWith("node_modules/")) continue;
        if (!existsSync(path.join(ho, w))) missing.push(`${target}: ${w}`);
      }
    }
    expect(missing).toEqual([]);
    const help = await execa("make", ["help"], { cwd: ho, reject: false });
    expect(help.stdout).toContain("make sweep-XX");
    expect(help.stdout).not.toMatch(/make (grade|grade-merge|autograder|handout)\b/);
    for (const t of ["grade", "grade-merge", "autograder", "handout"]) {
      expect((await execa("make", ["-n", t], { cwd: ho, reject: false })).stderr).toContain(`No rule to make target '${t}'`);
    }
  });

  test("every student file is stubbed course-style and README.md names them", () => {
    const raft = readFileSync(path.join(ho, "raft/raft.ts"), "utf8");
    expect(raft).toContain("// Your code here (2A).\n    void this.ticker();");
    expect(raft).toMatch(/private async sendRequestVote\(/);
    expect(raft).toMatch(/up to 7 s/);
    // The contract ships (the reference's own notes do not): applyCh, snapshot() from the reader, restarts, getState().
    const api = readFileSync(path.join(ho, "raft/API.md"), "utf8");
    for (const w of ["## applyCh", "calls `rf.snapshot()` synchronously", "The first index after a restart", "`getState()` of every live peer"]) expect(api).toContain(w);
    expect(existsSync(path.join(ho, "raft/README.md"))).toBe(false);
    // Our own file split (raft/log.ts, progress.ts, ...) is wholly solution: it stays behind.
    expect(readdirSync(path.join(ho, "raft")).filter((f) => f.endsWith(".ts")).sort()).toEqual(
      ["config.ts", "persister.test.ts", "persister.ts", "raft-extra.test.ts", "raft.test.ts", "raft.ts"],
    );
    expect(readFileSync(path.join(ho, "kvraft/client.ts"), "utf8")).toContain('    // You will have to modify this function.\n    return "";\n');
    const readme = readFileSync(path.join(ho, "README.md"), "utf8");
    for (const p of PARTS) for (const f of p.studentFiles) expect(readme).toContain(`\`${f}\``);
    for (const w of ["make test-2A", "SEED=n", "RUN=regex", "COUNT=n", "DEBUG=topics", "TRACE=file.jsonl", "--- FAIL:", "replay: make test-2A"]) {
      expect(readme).toContain(w);
    }
  });

  test("none of the traps students met: kill() comments, handler rule, README, test files, Makefile targets", async () => {
    const read = (f: string): string => readFileSync(path.join(ho, f), "utf8");
    // kill(): closing applyCh is named as unsafe wherever a service reads it.
    for (const f of ["kvraft/server.ts", "shardctrler/server.ts", "shardkv/server.ts"]) {
      expect(read(f), f).toContain("Do not close applyCh here");
    }
    expect(read("raft/raft.ts")).toContain("The service\n   * never closes applyCh");
    // No stray ';' line in a type (the Err union), no capital-letter rule that labrpc does not have.
    expect(read("kvraft/common.ts")).not.toMatch(/^\s*;\s*$/m);
    for (const f of ["kvraft/common.ts", "shardkv/common.ts", "shardctrler/common.ts"]) expect(read(f), f).not.toMatch(/capital/i);
    // The Join of a present gid: said to be the student's choice, as in the course.
    expect(read("shardctrler/common.ts")).toMatch(/a Join of a gid that is already present[\s\S]*up to you/);
    // shardkv: its handler rule and the new leader's entry of its own term.
    expect(read("shardkv/server.ts")).toMatch(/Every method of ShardKV is an RPC handler[\s\S]*TypeScript `private` ones too/);
    expect(read("shardkv/server.ts")).toContain("committed an entry of its own term");
    const readme = read("README.md");
    expect(readme).toContain("**Which methods are RPC handlers.**");
    expect(readme).toMatch(/TypeScript\s+`private` ones included/);
    expect(readme).not.toMatch(/up to 7 s to a\s+disconnected peer\)/);
    expect(readme).toMatch(/up to 7 s in the Raft tests/);
    expect(readme).toMatch(/\*\*Lab 1 \(`make test-mr`\) is different\*\*/);
    expect(readme).toContain("estimate of the time left");
    // Every test file in a lab folder that holds graded tests runs with some part (make test-XX).
    const listed = new Set(PARTS.flatMap((p) => p.testFiles));
    const unlisted = filesUnder(ho).filter(
      (f) => f.endsWith(".test.ts") && /\bgraded\(/.test(read(f)) && !f.startsWith("labs-test/") && !listed.has(f),
    );
    expect(unlisted).toEqual([]);
    // A test-XX and a sweep-XX target for every simulated part, the challenges included.
    for (const p of PARTS) {
      // The runner, bundled (see the next test), is run with the part.
      expect((await execa("make", ["-n", `test-${p.id}`], { cwd: ho, reject: false })).stdout).toContain(`runner/run.mjs ${p.id}`);
      if (p.realProcesses) continue;
      const sweep = await execa("make", ["-n", `sweep-${p.id}`, "SEEDS=1..2"], { cwd: ho, reject: false });
      expect(sweep.stdout, `sweep-${p.id}`).toContain(`sweep-cli.ts ${p.id}`);
    }
  });

  test("it type-checks, and make test-XX runs the runner", async () => {
    const tsc = await execa("node_modules/.bin/tsc", ["-p", "tsconfig.json", "--noEmit"], { cwd: ho, reject: false, all: true });
    expect(tsc.all, "tsc --noEmit in the handout").toBe("");
    expect(tsc.exitCode).toBe(0);
    const make = await execa("make", ["-n", "test-2A"], { cwd: ho, reject: false });
    // The Makefile bundles the runner (esbuild) and runs the bundle with the part.
    expect(make.stdout).toMatch(/esbuild labs-test\/tools\/run\.ts .*\.labs-runs\/runner\/run\.mjs 2A$/m);
  });

  test("every graded test of a stubbed part fails with a message, within its time limit", async () => {
    for (const { ids, names } of STUBBED_RUNS) {
      // Only the graded tests: some extra tests (TestBadInput4A, 3A's bad-input ones) check
      // the framework's guards and dispatch checks only, so they pass against the stubs too.
      const run = `^(${names.join("|")})$`;
      const { results, closing } = await runParts(ho, ids, 1, run);
      expect(closing).toMatch(/^0 passed, \d+ failed$/);
      for (const name of names) {
        const r = results.find((x) => x.name === name);
        expect(r, `${name} ran`).toBeDefined();
        expect(r!.passed, name).toBe(false);
        expect(r!.error ?? "", name).toMatch(/\S{3}/);
        expect(r!.virtualMs, name).toBeLessThanOrEqual(LIMIT_MS);
      }
      // The course's fresh 4A skeleton fails TestBasic this way.
      if (ids[0] === "4A") expect(results.find((x) => x.name === "TestBasic")?.error).toContain("wanted 1 groups, got 0");
    }
  });

  test("the schedule search ships, runs on the stubs and fails clearly, with a seed and a replay command", async () => {
    const r = await execa("node_modules/.bin/tsx", ["labs-test/hunt/hunt-cli.ts", "2A"], {
      cwd: ho,
      env: { RUNS: "1", SEED: "1", SHRINK: "0", VIS: "off", PARALLEL: "1", FORCE_COLOR: "0" },
      all: true,
      reject: false,
    });
    const out = r.all ?? "";
    expect(r.exitCode, out).toBe(1);
    expect(out).toContain("--- FAIL: hunt-2A (seed 1)");
    expect(out).toMatch(/leader/);
    expect(out).toContain("replay: make hunt-2A SEED=1 RUNS=1");
    expect((await execa("make", ["-n", "hunt-2C"], { cwd: ho, reject: false })).stdout).toContain("labs-test/hunt/hunt-cli.ts 2C");
    expect(readFileSync(path.join(ho, "README.md"), "utf8")).toContain("make hunt-XX");
  });

  test("with every lab's reference files put back, make test passes whole (round trip)", async () => {
    const c = path.join(tmp, "c");
    cpSync(ho, c, { recursive: true, verbatimSymlinks: true });
    for (const f of new Set(PARTS.flatMap((p) => studentFilesIn(p, ROOT)))) copyFileSync(path.join(ROOT, f), path.join(c, f));
    // `make test` (the runner's `all`): every vitest file the handout ships (the graded
    // and extra tests of every part, the framework's own tests, labs.test.ts among them),
    // labrpc on the wall clock, and the MapReduce script.
    const r = await execa("node_modules/.bin/tsx", ["labs-test/tools/run.ts", "all"], {
      cwd: c,
      env: { FORCE_COLOR: "0" },
      all: true,
      reject: false,
    });
    const output = r.all ?? "";
    const closing = output.trim().split("\n").at(-1) ?? "";
    expect(closing, output.slice(-4000)).toMatch(/^\d+ passed, 0 failed$/);
    expect(Number(/^(\d+)/.exec(closing)![1])).toBeGreaterThan(PARTS.flatMap((p) => testsToRun(p)).length);
    expect(output).toContain("MapReduce (real processes): 8 passed, 0 failed");
    // The reference's own tests stay behind, even with its files back.
    expect(output).not.toContain("reference tests");
    // The whole suite, run inside this one: its wall time is most of this file's.
  }, 3_600_000);
});

/** The independently written, student-style Raft (branch student-raft), if merged here. */
const STUDENT_RAFT = path.join(ROOT, "raft/reference/student-raft/raft.ts");

describe("a solution written from the handout alone", () => {
  // Its field names, persisted format and handler names are its own; only the course's
  // API is shared. It lives in a reference folder, so it runs where that folder exists.
  // 3A/3B with our kvraft wait for RPCs that cost virtual time: on zero-cost RPCs its
  // Clerk calls complete without the clock advancing (raft/reference/student-raft/README.md).
  test.runIf(existsSync(STUDENT_RAFT))("the student-style Raft passes 2A-2D in the handout", async () => {
    const d = path.join(tmp, "d");
    cpSync(ho, d, { recursive: true, verbatimSymlinks: true });
    const src = readFileSync(STUDENT_RAFT, "utf8").replaceAll('from "../../../', 'from "../').replaceAll('from "../../', 'from "./');
    writeFileSync(path.join(d, "raft/raft.ts"), src);
    const { closing, output } = await runParts(d, raftParts, 1);
    const n = raftParts.flatMap((id) => testsToRun(part(id))).length;
    expect(closing, output.slice(-3000)).toBe(`${n} passed, 0 failed`);
  });
});

describe("bad input", () => {
  /** A small repository: one part whose student file is raft/raft.ts. */
  function fakeRepo(files: Record<string, string>): { root: string; parts: LabPart[] } {
    const root = mkdtempSync(path.join(tmp, "repo-"));
    for (const [f, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
      writeFileSync(path.join(root, f), text);
    }
    const parts: LabPart[] = [{ id: "2A", title: "t", studentFiles: ["raft/raft.ts"], testFiles: [], tests: ["TestX2A"], points: 1 }];
    return { root, parts };
  }

  function expectNothingWritten(root: string, out: string): void {
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(path.dirname(out)).filter((n) => n.includes(".partial-"))).toEqual([]);
    void root;
  }

  const good = ["export function f(): number {", `  ${MARK("BEGIN", "2A")}`, "  return 42;", `  ${MARK("STUB")}`, "  // return 0;", `  ${MARK("END")}`, "}", ""].join("\n");

  test("a well-formed repository: stubs, helper files taken along, README lists them; a wholly-solution helper is left out", () => {
    const { root, parts } = fakeRepo({
      "raft/raft.ts": good,
      "raft/election.ts": `export const x = 1;\n${MARK("BEGIN")}\nexport const y = 2;\n${MARK("END")}\n`,
      "raft/progress.ts": `// our file split: a header comment, then solution only\n\n${MARK("BEGIN")}\nexport const z = 3;\n${MARK("END")}\n`,
      "raft/config.ts": "export const harness = 1;\n",
      "raft/reference/secret.test.ts": "secret\n",
      Makefile: "test:\n\trun\n# INSTRUCTOR BEGIN\ngrade:\n\tgrade-tool\n# INSTRUCTOR END\nhelp:\n",
    });
    const out = path.join(tmp, "fake-out");
    const files = writeHandout(root, out, parts);
    expect(files).toEqual(["Makefile", "README.md", "raft/config.ts", "raft/election.ts", "raft/raft.ts"]);
    expect(readFileSync(path.join(out, "Makefile"), "utf8")).toBe("test:\n\trun\nhelp:\n");
    expect(readFileSync(path.join(out, "raft/raft.ts"), "utf8")).toBe("export function f(): number {\n  // Your code here (2A).\n  return 0;\n}\n");
    expect(readFileSync(path.join(out, "raft/election.ts"), "utf8")).toBe("export const x = 1;\n// Your code here.\n");
    const readme = readFileSync(path.join(out, "README.md"), "utf8");
    expect(readme).toContain("`raft/election.ts`, `raft/raft.ts`");
    expect(readme).not.toContain("raft/progress.ts");
  });

  const cases: Array<[string, Record<string, string>, RegExp]> = [
    ["an unclosed region", { "raft/raft.ts": `a\n${MARK("BEGIN")}\nb\n` }, /^raft\/raft\.ts:2: .*BEGIN is never closed/],
    ["a nested region", { "raft/raft.ts": `${MARK("BEGIN")}\n${MARK("BEGIN")}\n${MARK("END")}\n${MARK("END")}\n` }, /^raft\/raft\.ts:2: .*BEGIN inside the region opened at line 1/],
    ["an END without BEGIN", { "raft/raft.ts": `x\n${MARK("END")}\n` }, /^raft\/raft\.ts:2: .*END without/],
    ["a marker inside a string", { "raft/raft.ts": `const s = "${MARK("BEGIN")}";\n` }, /^raft\/raft\.ts:1: a .* marker must be a line of its own/],
    ["a stub line that is code", { "raft/raft.ts": `${MARK("BEGIN")}\n${MARK("STUB")}\nreturn 1;\n${MARK("END")}\n` }, /^raft\/raft\.ts:3: a stub line must be a comment/],
    ["a listed student file that is missing", { "raft/other.ts": "x\n" }, /part 2A: the manifest .* lists student file raft\/raft\.ts, but .* does not exist/],
    ["an unclosed instructor section", { "raft/raft.ts": good, Makefile: "a:\n# INSTRUCTOR BEGIN\nb:\n" }, /^Makefile:2: "# INSTRUCTOR BEGIN" is never closed/],
    ["a nested instructor section", { "raft/raft.ts": good, Makefile: "# INSTRUCTOR BEGIN\n# INSTRUCTOR BEGIN\n# INSTRUCTOR END\n" }, /^Makefile:2: .* inside the section opened at line 1/],
    ["an instructor END without BEGIN", { "raft/raft.ts": good, Makefile: "a:\n# INSTRUCTOR END\n" }, /^Makefile:2: "# INSTRUCTOR END" without/],
    ["markers in a file no part lists", { "raft/raft.ts": good, "kvraft/server.ts": good }, /^kvraft\/server\.ts holds .* markers but is no part's student file/],
  ];
  for (const [what, files, msg] of cases) {
    test(`${what}: a clear error, nothing written`, () => {
      const { root, parts } = fakeRepo(files);
      const out = path.join(tmp, `out-${what.replace(/\W+/g, "-")}`);
      expect(() => writeHandout(root, out, parts)).toThrow(msg);
      expectNothingWritten(root, out);
    });
  }

  test("OUT an existing non-empty directory or a file: a clear error, nothing touched", () => {
    const { root, parts } = fakeRepo({ "raft/raft.ts": good });
    const out = path.join(tmp, "occupied");
    mkdirSync(out);
    writeFileSync(path.join(out, "mine.txt"), "keep me");
    expect(() => writeHandout(root, out, parts)).toThrow(HandoutError);
    expect(() => writeHandout(root, out, parts)).toThrow(/OUT=.*occupied is not empty/);
    expect(readdirSync(out)).toEqual(["mine.txt"]);
    const file = path.join(tmp, "a-file");
    writeFileSync(file, "x");
    expect(() => writeHandout(root, file, parts)).toThrow(/exists and is not a directory/);
    expect(readFileSync(file, "utf8")).toBe("x");
  });
});
