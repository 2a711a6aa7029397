import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { RealClock } from "../../../runtime/real-clock.js";
import { findPart, studentFilesIn } from "../../labs.js";
import { staticCheckParts } from "../static-check.js";
import { grade } from "./grade.js";
import { gradescopeResultsSchema } from "./gradescope.js";

// The hostile submissions of issue 19 (fixtures/hostile/): each is the handout's skeleton of
// raft/raft.ts (0 points) plus a few lines that tried to score without a working Raft, by
// reaching past the sandbox. Graded by the real grader (part 2A, one seed) with the static
// check off, so that the boundary itself is what stops them; each must score 0 with a valid
// results.json, write nothing outside OUT, and leave the instructor's checkout as it was.
// The static check, on, refuses each of them before any test with file:line.

const FIXTURES = "labs-test/tools/grade/fixtures/hostile";
const scratch = mkdtempSync(path.join(tmpdir(), "labs-hostile-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const root = process.cwd();
const part2A = findPart("2A")!;
const skeleton = readFileSync("raft/raft.ts", "utf8").replace(/^\s*\/\/ SOLUTION BEGIN[\s\S]*?\/\/ SOLUTION END\n/gm, "");
const kinds = readdirSync(FIXTURES).filter((f) => f.endsWith(".ts")).map((f) => f.slice(0, -3)).sort();

/** Hashes of the checkout's files a hostile grade could aim at. */
function checkoutHashes(): string {
  const h = createHash("sha256");
  for (const f of ["raft/config.ts", "raft/raft.test.ts", "raft/raft.ts", "labs-test/harness/graded.ts", "labs-test/tools/seed-worker.ts"]) h.update(readFileSync(f));
  return h.digest("hex");
}

function submissionOf(kind: string, out: string, canary: string): string {
  const dir = path.join(scratch, `sub-${kind}`);
  mkdirSync(path.join(dir, "raft"), { recursive: true });
  const hostile = readFileSync(path.join(FIXTURES, `${kind}.ts`), "utf8").replaceAll("__OUT__", out).replaceAll("__CANARY__", canary).replaceAll("__ROOT__", root);
  writeFileSync(path.join(dir, "raft/raft.ts"), `${skeleton}\n${hostile}`);
  return dir;
}

async function gradeIt(name: string, submission: string, out: string, staticCheck: boolean) {
  await grade({
    submission, parts: [part2A], count: 1, out, seed: 1000, workers: 1, testWallMs: 120_000, totalWallMs: 600_000, root,
    skipTypeCheck: true, skipStaticCheck: !staticCheck,
  });
  return gradescopeResultsSchema.parse(JSON.parse(readFileSync(path.join(out, "results.json"), "utf8")));
}

test("the fixtures are there", () => {
  expect(kinds).toEqual(["detached-child", "framework-prototypes", "ipc-send", "patch-checkout", "promise-race", "reexport-reference", "registry", "through-node-modules", "worker-secret"]);
});

for (const kind of kinds) {
  test(`hostile (${kind}): 0 points under the boundary, a valid results.json, nothing written outside OUT`, async () => {
    const before = checkoutHashes();
    const out = path.join(scratch, `out-${kind}`);
    const canary = path.join(scratch, `canary-${kind}`);
    const results = await gradeIt(kind, submissionOf(kind, out, canary), out, false);
    expect(results.score, JSON.stringify(results.tests.map((t) => t.output.slice(0, 300)))).toBe(0);
    expect(results.max_score).toBe(15);
    // This one reports, as its tests' failure, which of its changes to shared framework
    // objects stuck: none may.
    if (kind === "framework-prototypes") for (const t of results.tests) expect(t.output).toMatch(/hostile framework-prototypes: all \d+ changes refused/);
    // A detached child would act a few seconds after the grade.
    if (kind === "detached-child") await new RealClock().sleep(4000);
    expect(existsSync(canary)).toBe(false);
    expect(gradescopeResultsSchema.parse(JSON.parse(readFileSync(path.join(out, "results.json"), "utf8"))).score).toBe(0);
    expect(checkoutHashes()).toBe(before);
  }, 180_000);
}

test("a raft/ folder that is a symbolic link to another student's folder is refused", async () => {
  const other = path.join(scratch, "other-student");
  mkdirSync(path.join(other, "raft"), { recursive: true });
  for (const f of studentFilesIn(part2A, ".")) writeFileSync(path.join(other, f), readFileSync(f));
  const sub = path.join(scratch, "sub-symlinked");
  mkdirSync(sub);
  symlinkSync(path.join(other, "raft"), path.join(sub, "raft"), "dir");
  const results = await gradeIt("symlinked", sub, path.join(scratch, "out-symlinked"), true);
  expect(results.score).toBe(0);
  expect(results.tests[0]!.output).toMatch(/raft\/raft\.ts is inside raft\/, a symbolic link/);
}, 60_000);

test("the static check refuses each hostile submission before any test, with file:line", () => {
  const tree = path.join(scratch, "check-tree");
  for (const kind of kinds) {
    mkdirSync(path.join(tree, "raft"), { recursive: true });
    writeFileSync(path.join(tree, "raft/raft.ts"), `${skeleton}\n${readFileSync(path.join(FIXTURES, `${kind}.ts`), "utf8").replaceAll("__ROOT__", root)}`);
    const problems = staticCheckParts(tree, [part2A]);
    expect(problems.length, `${kind}: ${problems.join("\n")}`).toBeGreaterThan(0);
    expect(problems[0]).toMatch(/^raft\/raft\.ts:\d+: /);
  }
});
