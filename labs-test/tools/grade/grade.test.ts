import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { XMLParser } from "fast-xml-parser";
import { afterAll, expect, test } from "vitest";
import type { GradeOptions } from "./grade.js";
import { byTest, gradeInto, patched, reference, referenceHelpers, stub, writeSubmission } from "./grade-fixtures.js";
import type { GradescopeResults } from "./gradescope.js";

// Grading end to end on part 2A, one or two seeds a test: the reference, the skeleton, a
// planted bug, and hostile submissions. None may get a point it did not earn, and every
// grade writes a valid results.json.

const scratch = mkdtempSync(path.join(tmpdir(), "labs-grade-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const submission = (name: string, files: Record<string, string>): string => writeSubmission(scratch, name, files);

const LEADER_LINE = 'isLeader = this.role === "leader" && !this.dead;';
/** A Raft whose peers never say they lead: fails every 2A test. */
const noLeader = patched(LEADER_LINE, "isLeader = false;");

const run = (name: string, sub: string, extra: Partial<GradeOptions> = {}): Promise<{ results: GradescopeResults; out: string }> =>
  gradeInto(scratch, name, sub, extra);

test("the reference scores full marks, type check included; results.json and JUnit are well formed", async () => {
  const { results, out } = await run("reference", submission("reference", { "raft/raft.ts": reference }), { count: 2, skipTypeCheck: false });
  expect(results.score).toBe(15);
  expect(results.max_score).toBe(15);
  expect(results.tests.map((t) => t.number)).toEqual(["2A.1", "2A.2", "2A.3"]);
  // Names are the same for every student (Gradescope lines tests up by name); the pass fraction is in the output.
  expect(results.tests.map((t) => t.name)).toEqual(["TestInitialElection2A", "TestReElection2A", "TestManyElections2A"]);
  expect(results.tests.every((t) => t.status === "passed" && t.output.startsWith("passed 2/2 runs"))).toBe(true);
  expect(results.extra_data).toMatchObject({ seeds: [1000, 1001], runsPerTest: 2 });
  const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(readFileSync(path.join(out, "junit.xml"), "utf8")) as {
    testsuites: { tests: string; failures: string; testsuite: { name: string; testcase: Array<{ name: string; failure?: unknown }> } };
  };
  expect(xml.testsuites).toMatchObject({ tests: "6", failures: "0" });
  const names = xml.testsuites.testsuite.testcase.map((c) => c.name);
  expect(new Set(names).size).toBe(6);
  expect(names).toContain("TestManyElections2A [seed 1001]");
}, 180_000);

test("the handout skeleton scores 0 without hanging", async () => {
  expect(stub).not.toContain("SOLUTION");
  const { results } = await run("skeleton", submission("skeleton", { "raft/raft.ts": stub }));
  expect(results.score).toBe(0);
  expect(results.tests.every((t) => t.status === "failed" && /FAIL seed 1000/.test(t.output))).toBe(true);
}, 120_000);

test("a planted bug (no leader among 7 peers) loses exactly TestManyElections2A, with its seed and replay command", async () => {
  const bug = patched(LEADER_LINE, 'isLeader = this.role === "leader" && !this.dead && this.peers.length !== 7;');
  const { results, out } = await run("planted", submission("planted", { "raft/raft.ts": bug }));
  expect(byTest(results)).toEqual({ TestInitialElection2A: 5, TestReElection2A: 5, TestManyElections2A: 0 });
  const failed = results.tests.find((t) => t.status === "failed")!;
  expect(failed.output).toContain("make test-2A SEED=1000 RUN=TestManyElections2A");
  const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(readFileSync(path.join(out, "junit.xml"), "utf8")) as {
    testsuites: { testsuite: { testcase: Array<{ name: string; failure?: { "#text": string; message: string } }> } };
  };
  const failing = xml.testsuites.testsuite.testcase.filter((c) => c.failure !== undefined);
  expect(failing.map((c) => c.name)).toEqual(["TestManyElections2A [seed 1000]"]);
  expect(failing[0]!.failure!["#text"]).toMatch(/leader/);
}, 120_000);

test("each run starts from fresh student modules: a module-level counter does not carry from one test or seed to the next", async () => {
  // The reference, counting peers made in a module-level variable and failing past 7 (the
  // most one 2A test makes). One worker runs all three tests in turn (3 + 3 + 7 peers): a
  // counter that carried over would fail TestManyElections2A, and a seed's run would depend
  // on which runs came before it in its worker. It also tries to count on the compartment's
  // global object (through the compartment's eval, which the static check would refuse:
  // off here), which is frozen.
  const ctor = "constructor(peers: ClientEnd[], me: number, persister: Persister, applyCh: Channel<ApplyMsg>) {";
  const count = [
    "peersMade++;",
    'const g = (0, eval)("this") as { made?: number };',
    "try { g.made = (g.made ?? 0) + 1; } catch { /* frozen */ }",
    "if (peersMade > 7 || (g.made ?? 0) > 7) throw new Error(`state carried over: peer ${peersMade}, global ${g.made}`);",
  ].join("\n    ");
  const counting = patched(ctor, `${ctor}\n    ${count}`, "\nlet peersMade = 0;\n");
  const { results } = await run("module-state", submission("module-state", { "raft/raft.ts": counting }), { workers: 1, skipStaticCheck: true });
  expect(results.tests.map((t) => `${t.name} ${t.status}`)).toEqual(["TestInitialElection2A passed", "TestReElection2A passed", "TestManyElections2A passed"]);
}, 120_000);

test("hostile: an edited test file in the submission is ignored and named", async () => {
  const fakeTests = 'import { test } from "vitest";\ntest("TestInitialElection2A", () => {});\n';
  const { results } = await run("edits-tests", submission("edits-tests", { "raft/raft.ts": noLeader, "raft/raft.test.ts": fakeTests, "raft/config.ts": "export {};\n" }));
  expect(results.score).toBe(0);
  expect(results.output).toMatch(/ignored \(not student files of these parts\): .*raft\/(raft\.test|config)\.ts/);
}, 120_000);

test("hostile: results.json and junit.xml written by the submission are overwritten with the honest ones", async () => {
  const out = path.join(scratch, "out-writes-results");
  const fake = JSON.stringify({ score: 15, max_score: 15, tests: [] });
  const writer = `
import { writeFileSync as __w } from "node:fs";
for (const f of ["results.json", "junit.xml", ${JSON.stringify(path.join(out, "results.json"))}, ${JSON.stringify(path.join(out, "junit.xml"))}]) {
  try { __w(f, f.endsWith(".xml") ? "<testsuites/>" : ${JSON.stringify(fake)}); } catch {}
}
`;
  // The static check would refuse it; off, so the sandbox itself is what refuses node:fs.
  const { results } = await run("writes-results", submission("writes-results", { "raft/raft.ts": noLeader + writer }), { skipStaticCheck: true });
  expect(results.score).toBe(0);
  expect(readFileSync(path.join(out, "junit.xml"), "utf8")).toMatch(/failures="3"/);
}, 120_000);

test("hostile: printed pass lines count for nothing", async () => {
  const liar = patched(LEADER_LINE, 'isLeader = false; process.stdout.write("  ... Passed --   1.0  3   10    1000    0\\nPASS\\nok  \\t6.824/raft\\n");');
  const { results } = await run("prints-pass", submission("prints-pass", { "raft/raft.ts": liar }), { skipStaticCheck: true });
  expect(results.score).toBe(0);
}, 120_000);

test("hostile: process.exit(0) in the middle of a test fails that test (student code has no process)", async () => {
  const quitter = patched(LEADER_LINE, "process.exit(0);");
  const { results } = await run("exits", submission("exits", { "raft/raft.ts": quitter }), { skipStaticCheck: true });
  expect(results.score).toBe(0);
  expect(results.tests.every((t) => /process is not defined/.test(t.output))).toBe(true);
  const checked = await run("exits-checked", submission("exits-checked", { "raft/raft.ts": quitter }));
  expect(checked.results.tests[0]!.output).toMatch(/raft\/raft\.ts:\d+: uses process: student code cannot see the process/);
}, 120_000);

test("hostile: a loop that never ends fails its test at the wall limit; the other tests still score", async () => {
  const looper = patched(LEADER_LINE, `${LEADER_LINE} if (this.peers.length === 7) for (;;) { /* spin */ }`);
  // The stall watch off (its own test is hostile-runs.test.ts), so that the wall limit is what stops it.
  const { results } = await run("loops", submission("loops", { "raft/raft.ts": looper }), { testWallMs: 6_000, stallCpuMs: 600_000 });
  expect(byTest(results)).toEqual({ TestInitialElection2A: 5, TestReElection2A: 5, TestManyElections2A: 0 });
  expect(results.tests[2]!.output).toMatch(/no result within 6 s \(wall\)/);
}, 120_000);

test("hostile: a submission that throws at import scores 0 with the error shown", async () => {
  const { results } = await run("throws", submission("throws", { "raft/raft.ts": reference + '\nthrow new Error("boom at import");\n' }));
  expect(results.score).toBe(0);
  expect(results.tests[0]!.output).toMatch(/loading the tests failed: Error: boom at import/);
}, 120_000);

test("hostile: rewriting a test file in the tree while running is refused by the sandbox", async () => {
  const rewriter = `
import { appendFileSync as __a } from "node:fs";
try { __a("raft/raft.test.ts", "\\n// rewritten\\n"); } catch {}
`;
  const { results } = await run("rewrites", submission("rewrites", { "raft/raft.ts": reference + rewriter }), { skipStaticCheck: true });
  expect(results.score).toBe(0);
  expect(results.tests[0]!.output).toMatch(/cannot import "node:fs"/);
}, 120_000);

test("a type error fails the part, with the errors shown", async () => {
  const broken = patched(LEADER_LINE, 'isLeader = "yes";');
  const { results } = await run("type-error", submission("type-error", { "raft/raft.ts": broken }), { skipTypeCheck: false });
  expect(results.score).toBe(0);
  expect(results.tests[0]!.output).toMatch(/does not build \(type errors\):[\s\S]*raft\/raft\.ts\(\d+,\d+\): error TS2322/);
}, 180_000);

test("a missing student file scores the part 0 and says which file", async () => {
  const { results } = await run("missing", submission("missing", { "README.md": "hello\n" }));
  expect(results.score).toBe(0);
  expect(results.tests[0]!.output).toMatch(/raft\/raft\.ts is missing/);
  expect(results.output).toMatch(/ignored .*README\.md/);
  expect(existsSync(path.join(scratch, "out-missing", "junit.xml"))).toBe(true);
}, 60_000);

test("a student's helper file beside raft.ts is graded with it; a helper named like a framework file is ignored and named", async () => {
  // Progress moves to raft/election-helper.ts, a name the reference does not use; the
  // submission's raft/config.ts (the harness's name) would break every test if it were copied.
  const raft = reference.replace('from "./progress.js";', 'from "./election-helper.js";');
  expect(raft).toContain("election-helper.js");
  const { "raft/progress.ts": progress, ...otherHelpers } = referenceHelpers;
  expect(progress).toContain("export class Progress");
  const sub = submission("helper", { ...otherHelpers, "raft/raft.ts": raft, "raft/election-helper.ts": progress!, "raft/config.ts": "export {};\n" });
  rmSync(path.join(sub, "raft/progress.ts"));
  const { results } = await run("helper", sub);
  expect(results.score).toBe(15);
  expect(results.output).toMatch(/ignored \(not student files of these parts\): raft\/config\.ts/);
  expect(results.output).not.toMatch(/ignored[^\n]*election-helper/);
}, 120_000);
