import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { RealClock } from "../../../runtime/real-clock.js";
import { scrubText } from "../../harness/safe-text.js";
import { LOG_CAP_BYTES } from "../seed-pool.js";
import { gradeInto, readResults, stubWith, writeSubmission } from "./grade-fixtures.js";
import type { GradescopeResults } from "./gradescope.js";

// Hostile submissions, each the handout's stub (0 points by itself) with one trick in
// Raft's constructor, graded by the real grader on 2A at a small COUNT with short limits.
// Each must earn 0, leave a valid results.json, a bounded junit.xml and runs.json, and
// leave nothing behind: the grader's temp folder (its scratch) ends up empty.

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
  for (const [name, code, shown] of [
    ["throws-bad-tostring", 'throw { toString() { throw new Error("no"); } };', /not an Error: \{ toString: \[function\] \}/],
    ["throws-no-prototype", "throw Object.create(null);", /an object without a prototype/],
  ] as const) {
    const { results } = await gradeHostile(name, stubWith(code), { testWallMs: 120_000 });
    for (const t of results.tests) {
      expect(t.output, `${name} ${t.name}`).toMatch(shown);
      expect(t.output).not.toMatch(/no result within/);
    }
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
  const { out } = await gradeHostile("chatty", stubWith('for (let i = 0; i < 5000; i++) process.stdout.write("spam ".repeat(100) + "\\n");'));
  const logs = readdirSync(path.join(out, "logs"));
  expect(logs.length).toBeGreaterThan(0);
  for (const f of logs) expect(statSync(path.join(out, "logs", f)).size).toBeLessThanOrEqual(LOG_CAP_BYTES + 200);
}, 120_000);

test("a synchronous infinite loop in the constructor is stopped within seconds of CPU, and the test's other seeds do not run", async () => {
  const t0 = clock.now();
  const { results } = await gradeHostile("spins", stubWith("for (;;) { /* spin */ }"), { count: 3, stallCpuMs: 2000, testWallMs: 300_000 });
  for (const t of results.tests) {
    // Two workers: a second seed of the same test may already be running when the first hangs.
    const hung = t.output.match(/FAIL seed \d+: the test stopped answering: its event loop was blocked for \d+\.\d s of CPU/g) ?? [];
    expect(hung.length, t.output).toBeGreaterThanOrEqual(1);
    expect(t.output).toMatch(new RegExp(`^passed 0/3 runs\n${3 - hung.length} run\\(s\\) not run: ${t.name} hung on seed 100\\d`));
  }
  // Wall time is not asserted (the machine may be loaded); the per-run limit was 300 s.
  process.stdout.write(`spins: graded in ${((clock.now() - t0) / 1000).toFixed(1)} s wall\n`);
}, 300_000);

test("a detached child meant to rewrite results.json after the grader wrote it is gone before OUT is written, and voids the runs", async () => {
  const canaryDir = path.join(scratch, "canary");
  mkdirSync(canaryDir);
  chmodSync(canaryDir, 0o777);
  const canary = path.join(canaryDir, "outlived");
  const out = path.join(scratch, "out-outlives");
  const every = "set" + "Interval";
  const writer =
    `const fs = require("fs"); globalThis["${every}"](() => { if (process.uptime() < 2) return; ` +
    `try { fs.writeFileSync(${JSON.stringify(canary)}, "outlived"); } catch {} ` +
    `try { fs.writeFileSync(${JSON.stringify(path.join(out, "results.json"))}, JSON.stringify({ score: 15, tests: [] })); } catch {} }, 200);`;
  const body = `if (!(globalThis as Record<string, unknown>).__spawned) { (globalThis as Record<string, unknown>).__spawned = true; spawn(process.execPath, ["-e", ${JSON.stringify(writer)}], { detached: true, stdio: "ignore" }).unref(); }`;
  // Workers running as the grader's own user: the child could write OUT, were it alive.
  const { results } = await gradeHostile("outlives", stubWith(body, 'import { spawn } from "node:child_process";'), { isolate: false });
  expect(results.output).toMatch(/started \d+ process\(es\) that left their test's process group to outlive it \(all stopped\); its runs do not count/);
  const written = readFileSync(path.join(out, "results.json"), "utf8");
  await new Promise((r) => clock.after(3000, () => r(undefined)));
  expect(readFileSync(path.join(out, "results.json"), "utf8")).toBe(written);
  expect(existsSync(canary)).toBe(false);
  expect(readResults(out).score).toBe(0);
}, 120_000);

test("a record sent without the worker's secret is rejected, and voids the runs", async () => {
  const forge =
    'process.send?.({ type: "result", nonce: "0".repeat(32), id: 0, ' +
    'record: { name: "TestInitialElection2A", seed: 1000, passed: true, virtualMs: 1, wallMs: 1 } });';
  const { results } = await gradeHostile("forges", stubWith(forge));
  expect(results.output).toMatch(/sent what only submitted code sends \(a message without the worker's secret/);
  expect(results.tests.every((t) => t.status === "failed")).toBe(true);
}, 120_000);
