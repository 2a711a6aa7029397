import { expect, test } from "vitest";
import { findPart } from "../../labs.js";
import type { RunsFile } from "../runs-file.js";
import { buildPlan, parseSeedRange, parseShard, shardOf } from "../work-plan.js";
import { mergeRuns, MergeError } from "./merge.js";
import { junitXml } from "./junit.js";
import { scoreRuns, testOutput } from "./score.js";

// SHARD=i/n splits the (test, seed) list; grade-merge joins the shards and insists that
// every pair ran exactly once.

const tests = ["TestInitialElection2A", "TestReElection2A", "TestManyElections2A"];
const seeds = parseSeedRange("11..15");

function shardRuns(index: number, count: number, failing = new Set<string>()): RunsFile {
  const items = shardOf(buildPlan(tests, seeds), { index, count });
  return {
    format: "labs-ts-runs/1",
    parts: ["2A"],
    tests,
    seeds,
    shard: { index, count },
    notRun: {},
    notes: [],
    records: items.map((it) => {
      const passed = !failing.has(`${it.test}@${it.seed}`);
      return { id: it.id, name: it.test, seed: it.seed, passed, virtualMs: 1000, wallMs: 10, ...(passed ? {} : { error: "boom" }) };
    }),
    versions: { node: "v20" },
    wallSeconds: index,
  };
}

test("the shards of a plan are disjoint and cover it", () => {
  const plan = buildPlan(tests, seeds);
  const parts = [1, 2, 3, 4].map((i) => shardOf(plan, parseShard(`${i}/4`)).map((it) => it.id));
  expect(parts.flat().sort((a, b) => a - b)).toEqual(plan.map((it) => it.id));
  expect(Math.max(...parts.map((p) => p.length)) - Math.min(...parts.map((p) => p.length))).toBeLessThanOrEqual(1);
});

test("merged shards score as one run: a test fails if any run on any shard failed", () => {
  const merged = mergeRuns([
    { file: "a", runs: shardRuns(1, 3) },
    { file: "b", runs: shardRuns(2, 3, new Set(["TestReElection2A@14"])) },
    { file: "c", runs: shardRuns(3, 3) },
  ]);
  expect(merged.records).toHaveLength(15);
  expect(merged.wallSeconds).toBe(3);
  const scores = scoreRuns(merged);
  expect(scores.map((s) => [s.name, s.score, s.passedRuns])).toEqual([
    ["TestInitialElection2A", 5, 5],
    ["TestReElection2A", 0, 4],
    ["TestManyElections2A", 5, 5],
  ]);
});

test("a pair run zero times or twice, or a shard of another plan, is an error", () => {
  expect(() => mergeRuns([{ file: "a", runs: shardRuns(1, 2) }])).toThrow(MergeError);
  expect(() => mergeRuns([{ file: "a", runs: shardRuns(1, 2) }])).toThrow(/ran 0 time\(s\)/);
  expect(() =>
    mergeRuns([
      { file: "a", runs: shardRuns(1, 2) },
      { file: "a2", runs: shardRuns(1, 2) },
      { file: "b", runs: shardRuns(2, 2) },
    ]),
  ).toThrow(/ran 2 time\(s\)/);
  const other = { ...shardRuns(2, 2), seeds: parseSeedRange("11..16") };
  expect(() => mergeRuns([{ file: "a", runs: shardRuns(1, 2) }, { file: "b", runs: other }])).toThrow(/another plan/);
  expect(() => mergeRuns([])).toThrow(/no shard results/);
});

test("SEEDS and SHARD reject what they cannot mean", () => {
  expect(() => parseSeedRange("5..1")).toThrow(/empty/);
  expect(() => parseSeedRange("0..3")).toThrow(/from 1/);
  expect(() => parseSeedRange("1-3")).toThrow(/like 1\.\.100/);
  expect(() => parseShard("0/4")).toThrow(/between 1 and 4/);
  expect(() => parseShard("3")).toThrow(/want i\/n/);
  expect(parseShard("2/4")).toEqual({ index: 2, count: 4 });
});

test("a 4A grade's TestBasic is 4A's, not labrpc's: its JUnit suite, its replay command, its merge", () => {
  const tests4A = findPart("4A")!.tests;
  const plan = buildPlan(tests4A, [7]);
  const runs: RunsFile = {
    format: "labs-ts-runs/1",
    parts: ["4A"],
    tests: tests4A,
    seeds: [7],
    shard: { index: 1, count: 1 },
    notRun: {},
    notes: [],
    records: plan.map((it) => ({ id: it.id, name: it.test, seed: 7, passed: it.test !== "TestBasic", virtualMs: 1, wallMs: 1, ...(it.test === "TestBasic" ? { error: "boom" } : {}) })),
    versions: { node: "v20" },
    wallSeconds: 1,
  };
  const basic = scoreRuns(mergeRuns([{ file: "a", runs }])).find((s) => s.name === "TestBasic")!;
  expect(testOutput(basic, 1)).toContain("replay: make test-4A SEED=7 RUN=TestBasic");
  expect(junitXml(runs)).toContain(`<testsuite name="4A" tests="${tests4A.length}" failures="1"`);
  expect(junitXml(runs)).toContain("TestBasic [seed 7]");
});

test("shards of different students, profiles or framework versions are refused, naming the file", () => {
  const alice = { name: "alice", digest: "a".repeat(64) };
  const bob = { name: "bob", digest: "b".repeat(64) };
  const of = (index: number, extra: Partial<RunsFile>): RunsFile => ({ ...shardRuns(index, 2), profile: "course", framework: "f1", submission: alice, ...extra });
  expect(mergeRuns([{ file: "a", runs: of(1, {}) }, { file: "b", runs: of(2, {}) }]).records).toHaveLength(15);
  expect(() => mergeRuns([{ file: "alice-1", runs: of(1, {}) }, { file: "bob-2", runs: of(2, { submission: bob }) }])).toThrow(
    "bob-2 grades another submission than alice-1 (bob's student files differ from alice's)",
  );
  expect(() => mergeRuns([{ file: "a", runs: of(1, {}) }, { file: "b", runs: of(2, { profile: "strict" }) }])).toThrow("b comes from another plan (profile strict, a course)");
  expect(() => mergeRuns([{ file: "a", runs: of(1, {}) }, { file: "b", runs: of(2, { framework: "f2" }) }])).toThrow(/another version of the tests and framework/);
});
