import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { RealClock } from "../../../runtime/real-clock.js";
import { scrubText } from "../../harness/safe-text.js";
import { LOG_CAP_BYTES } from "../seed-pool.js";
import { gradeInto, stubWith, writeSubmission } from "./grade-fixtures.js";
import type { GradescopeResults } from "./gradescope.js";

// Hostile submissions, each the handout's stub (0 points by itself) with one trick in
// Raft's constructor, graded by the real grader on 2A at a small COUNT with short limits.
// Each must earn 0, leave a valid results.json, a bounded junit.xml and runs.json, and
// leave nothing behind: the grader's temp folder (its scratch) ends up empty.
//
// What student code cannot do at all under the sandbox (start a process, reach the
// worker's IPC channel) is a hostile fixture of hostile.test.ts (detached-child, ipc-send,
// worker-secret); how the pool treats a test process that does so anyway is
// seed-pool.test.ts's.

const scratch = mkdtempSync(path.join(tmpdir(), "labs-hostile-"));
chmodSync(scratch, 0o755); // the grader's scratch goes inside: its workers' own uid must reach it
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const clock = new RealClock();

/** Grade one fixture with its own temp folder for the grader's scratch; check what every grade must leave. */
async function gradeHostile(name: string, raft: string, extra: Parameters<typeof gradeInto>[3] = {}): Promise<{ results: GradescopeResults; out: string }> {
  const tmp = path.join(scratch, `tmp-${name}`);
  mkdirSync(tmp);
  const got = await gradeInto(scratch, name, writeSubmission(scratch, name, { "raft/raft.ts": raft }), { tmp, ...extra });
  expect(got.results.score, name).toBe(0);
  expect(readdirSync(tmp), `${name}: the grader's scratch is gone`).toEqual([]);
  for (const f of ["results.json", "junit.xml", "runs.json"]) expect(statSync(path.join(got.out, f)).size, `${name}: ${f}`).toBeLessThan(512 * 1024);
  return got;
}

test("a 30 MB error message: each run fails at once, and every file stays small", async () => {
  const { results, out } = await gradeHostile("huge-error", stubWith('throw new Error("x".repeat(30 * 1024 * 1024));'), { count: 2 });
  expect(results.tests.every((t) => /FAIL seed 1000: Error: x+ … \(cut\)/.test(t.output) || /FAIL seed 1000: x+/.test(t.output))).toBe(true);
  expect(statSync(path.join(out, "junit.xml")).size).toBeLessThan(64 * 1024);
}, 120_000);

test("thrown values that cannot be printed (a toString that throws, no prototype) fail each run at once, not at the wall limit", async () => {
  // One grade for both: TestManyElections2A (7 peers) throws the first, the others the second.
  const code = 'if (peers.length === 7) throw { toString() { throw new Error("no"); } }; throw Object.create(null);';
  const { results } = await gradeHostile("throws-unprintable", stubWith(code), { testWallMs: 120_000 });
  for (const t of results.tests) {
    expect(t.output, t.name).toMatch(t.name === "TestManyElections2A" ? /not an Error: \{ toString: \[function\] \}/ : /an object without a prototype/);
    expect(t.output).not.toMatch(/no result within/);
  }
}, 180_000);

test("NUL, escape codes and lone surrogates in an error leave results.json and junit.xml well-formed", async () => {
  const { out } = await gradeHostile("bad-unicode", stubWith('throw new Error("nul \\u0000 esc \\u001b[31m lone \\uD800 end");'));
  const raw = readFileSync(path.join(out, "results.json"), "utf8");
  expect(raw).not.toMatch(/\\u0000|\\u001b|\\ud800/i);
  const strings: string[] = [];
  JSON.parse(raw, (_k, v: unknown) => (typeof v === "string" && strings.push(v), v));
  expect(strings.filter((s) => scrubText(s) !== s)).toEqual([]);
  const xml = readFileSync(path.join(out, "junit.xml"), "utf8");
  expect(xml).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  expect(xml).toContain("nul \uFFFD esc \uFFFD[31m lone \uFFFD end");
}, 120_000);

test("a submission that prints megabytes: the worker logs stop at their cap", async () => {
  const { out } = await gradeHostile("chatty", stubWith('for (let i = 0; i < 5000; i++) console.log("spam ".repeat(100));'));
  const logs = readdirSync(path.join(out, "logs"));
  expect(logs.length).toBeGreaterThan(0);
  for (const f of logs) expect(statSync(path.join(out, "logs", f)).size).toBeLessThanOrEqual(LOG_CAP_BYTES + 200);
  expect(logs.some((f) => readFileSync(path.join(out, "logs", f), "utf8").includes("(log cut at"))).toBe(true);
}, 120_000);

test("a synchronous infinite loop in the constructor is stopped within seconds of CPU, and the test's other seeds do not run", async () => {
  const t0 = clock.now();
  // One worker and two seeds: the second seed of each test is already in the worker's
  // inbox when the first hangs, and must not run. (A synchronous wait is no hostile kind
  // here: student code has no Atomics or SharedArrayBuffer.)
  const { results } = await gradeHostile("spins", stubWith("for (;;) { /* spin */ }"), { count: 2, workers: 1, stallCpuMs: 1500, testWallMs: 300_000 });
  for (const t of results.tests) {
    expect(t.output).toMatch(/FAIL seed 1000: the test stopped answering: its event loop was blocked for \d+\.\d s of CPU/);
    expect(t.output).toMatch(new RegExp(`^passed 0/2 runs\n1 run\\(s\\) not run: ${t.name} hung on seed 1000`));
  }
  // Wall time is not asserted (the machine may be loaded); the per-run limit was 300 s.
  process.stdout.write(`spins: graded in ${((clock.now() - t0) / 1000).toFixed(1)} s wall\n`);
}, 300_000);
