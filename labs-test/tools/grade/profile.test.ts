import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { HUNT_PARTS } from "../../hunt/parts.js";
import { findPart, GRADING_PROFILES, PARTS } from "../../labs.js";
import { bugId, plant, PLANTED_BUGS, pristine } from "../../../raft/reference/planted-bugs.js";
import { readRunsFile, type RunsFile } from "../runs-file.js";
import { byTest, gradeInto, reference, writeSubmission } from "./grade-fixtures.js";
import { mergeRuns } from "./merge.js";
import { huntsOf, parseProfile, planItems, profileOf } from "./profile.js";
import { scoreRuns, testOutput, total } from "./score.js";

// Grading profiles: `course` scores the course's graded tests; `strict` also the extra tests
// and each part's schedule search, whose failure costs the whole part. The grades here run
// part 2A (and 2B for the hunt) at one seed, with two hunt runs: enough to show each rule.

const scratch = mkdtempSync(path.join(tmpdir(), "labs-profile-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const part2A = findPart("2A")!;

/** The score a part's runs get when the same records are scored under course (graded tests only, no hunt). */
function asCourse(runs: RunsFile): number {
  return total(scoreRuns({ ...runs, profile: "course", hunts: undefined }).map((t) => t.score));
}

test("the profiles: course is the default, an unknown one is an error naming each, strict's hunts are the hunt's parts", () => {
  expect(parseProfile(undefined)).toBe("course");
  expect(parseProfile(" strict ")).toBe("strict");
  expect(() => parseProfile("lenient")).toThrow(/PROFILE="lenient" is not a grading profile; profiles: course \(the course's graded tests and points\), strict \(/);
  expect(() => profileOf("lenient")).toThrow(/not a grading profile/);
  const strict = profileOf("strict");
  expect(Object.keys(strict.huntRuns).sort()).toEqual(HUNT_PARTS.map((p) => p.id).sort());
  for (const g of GRADING_PROFILES) for (const [id, n] of Object.entries(g.huntRuns)) expect(Number.isSafeInteger(n) && n > 0 && findPart(id) !== undefined, `${g.id} ${id}`).toBe(true);
  expect(huntsOf(PARTS, profileOf("course"), 5)).toEqual([]);
  expect(huntsOf([part2A, findPart("mr")!], strict, 5, 2)).toEqual([{ part: "2A", test: "Hunt2A", seeds: [5, 6] }]);
  // Hunt runs come after every (test, seed) pair, numbered on: shards and grade-merge agree.
  expect(planItems({ tests: ["A", "B"], seeds: [1, 2], hunts: [{ part: "2A", test: "Hunt2A", seeds: [1, 2] }] }).map((i) => `${i.id}:${i.test}@${i.seed}`)).toEqual([
    "0:A@1", "1:B@1", "2:A@2", "3:B@2", "4:Hunt2A@1", "5:Hunt2A@2",
  ]);
});

/** Runs of 2A under strict, each test and hunt run passing but those named. */
function strictRuns(failing: Record<string, number> = {}): RunsFile {
  const tests = [...part2A.tests, ...part2A.extraTests!];
  const hunts = [{ part: "2A", test: "Hunt2A", seeds: [7, 8] }];
  const record = (name: string, seed: number) => ({ name, seed, passed: failing[name] !== seed, error: failing[name] === seed ? "safety: election safety" : undefined, virtualMs: 1, wallMs: 1 });
  const items = planItems({ tests, seeds: [7], hunts });
  return {
    format: "labs-ts-runs/1",
    parts: ["2A"],
    tests,
    seeds: [7],
    shard: { index: 1, count: 1 },
    notRun: {},
    notes: [],
    records: items.map((it) => ({ ...record(it.test, it.seed), id: it.id })),
    versions: {},
    wallSeconds: 1,
    profile: "strict",
    hunts,
  };
}

test("strict: graded, extra and hunt lines share the part's points; a failing hunt run costs the whole part, with its seed and replay", () => {
  const ok = scoreRuns(strictRuns());
  expect(ok.map((t) => t.number)).toEqual(["2A.1", "2A.2", "2A.3", "2A.4", "2A.5", "2A.6", "2A.7", "2A.8", "2A.9"]);
  expect(ok.at(-1)).toMatchObject({ name: "Hunt2A", hunt: true, planned: 2 });
  expect(total(ok.map((t) => t.score))).toBe(15);
  const bad = strictRuns({ Hunt2A: 8 });
  const scores = scoreRuns(bad);
  expect(total(scores.map((t) => t.score))).toBe(0);
  const hunt = scores.find((t) => t.hunt)!;
  expect(testOutput(hunt)).toMatch(/^passed 1\/2 runs of random fault schedules \(make hunt-2A\); a failing run costs the whole part\nFAIL seed 8: safety: election safety\n {2}replay: make hunt-2A SEED=8 RUNS=1/);
  expect(testOutput(scores[0]!)).toContain("0 points: the part's schedule search failed (seed 8: make hunt-2A SEED=8 RUNS=1)");
  // The same graded runs under course: the extras and the hunt do not count.
  expect(asCourse(bad)).toBe(15);
  // Shards of one strict grade merge; a course shard of the same grade does not.
  const shard = (i: number, runs: RunsFile): RunsFile => ({ ...runs, shard: { index: i, count: 2 }, records: runs.records.filter((r) => r.id % 2 === i - 1) });
  expect(mergeRuns([{ file: "a", runs: shard(1, bad) }, { file: "b", runs: shard(2, bad) }]).records).toHaveLength(bad.records.length);
  expect(() => mergeRuns([{ file: "a", runs: shard(1, bad) }, { file: "b", runs: { ...shard(2, bad), profile: "course" } }])).toThrow("b comes from another plan (profile course, a strict)");
  expect(() => mergeRuns([{ file: "a", runs: shard(1, bad) }, { file: "b", runs: { ...shard(2, bad), hunts: [{ part: "2A", test: "Hunt2A", seeds: [7] }] } }])).toThrow(/hunts or their seeds differ/);
  expect(() => mergeRuns([{ file: "a", runs: shard(1, bad) }])).toThrow(/Hunt2A seed 8 ran 0 time/);
});

const submission = (name: string, files: Record<string, string>): string => writeSubmission(scratch, name, files);

test("the reference scores full marks under strict: its graded and extra tests and its hunt, in the grader's workers", async () => {
  const { results, out } = await gradeInto(scratch, "strict-reference", submission("reference", { "raft/raft.ts": reference }), { profile: "strict", huntRuns: 2 });
  expect(results.tests.map((t) => t.name)).toEqual([...part2A.tests, ...part2A.extraTests!, "Hunt2A"]);
  expect(results.tests.filter((t) => t.status !== "passed").map((t) => `${t.name}: ${t.output}`)).toEqual([]);
  expect(results.score).toBe(15);
  expect(results.max_score).toBe(15);
  expect(results.extra_data).toMatchObject({ profile: "strict" });
  expect(results.output).toMatch(/profile strict: .* \(hunts: 2A 2 runs, seeds from 1000\)/);
  const runs = readRunsFile(path.join(out, "runs.json"));
  expect(runs).toMatchObject({ profile: "strict", hunts: [{ part: "2A", test: "Hunt2A", seeds: [1000, 1001] }] });
  expect(runs.records.filter((r) => r.name === "Hunt2A").map((r) => [r.seed, r.passed])).toEqual([[1000, true], [1001, true]]);
  expect(readFileSync(path.join(out, "junit.xml"), "utf8")).toContain("Hunt2A");
}, 300_000);

test("a bug only an extra test catches loses points under strict and none under course", async () => {
  const bug = PLANTED_BUGS.find((b) => bugId(b) === "reference/candidate-no-self-vote")!;
  const files = { "raft/raft.ts": plant(bug, pristine(bug, "raft/raft.ts")) };
  const { results, out } = await gradeInto(scratch, "strict-extra", submission("no-self-vote", files), { profile: "strict", huntRuns: 1 });
  const scores = byTest(results);
  expect(scores[bug.test]).toBe(0);
  expect(results.tests.find((t) => t.name === bug.test)!.output).toContain(`replay: make test-2A SEED=1000 RUN=${bug.test}`);
  expect(results.score).toBeLessThan(15);
  for (const t of part2A.tests) expect(scores[t], t).toBeGreaterThan(0);
  expect(asCourse(readRunsFile(path.join(out, "runs.json")))).toBe(15);
}, 300_000);
