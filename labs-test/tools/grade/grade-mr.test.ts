import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { findPart } from "../../labs.js";
import { stubRegions } from "../../solution-markers.js";
import { gradeInto, writeSubmission } from "./grade-fixtures.js";

// Lab 1 graded as the grader runs it: the test script once per run, as the workers' uid
// when the grader is root, its coordinator and workers confined to their job folder, its
// results read back from the scratch folder. The handout's stubs (no task is ever handed
// out) score 0 with each test failing on its own account, not for want of results.

const scratch = mkdtempSync(path.join(tmpdir(), "labs-grade-mr-"));
chmodSync(scratch, 0o755); // the grader's workers may run as a uid of their own
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

test("the handout's MapReduce stubs score 0, each test failing by itself, with the script's results read back", async () => {
  const part = findPart("mr")!;
  const files = Object.fromEntries(part.studentFiles.map((f) => [f, stubRegions(f, readFileSync(f, "utf8"))]));
  const { results } = await gradeInto(scratch, "mr-stub", writeSubmission(scratch, "mr-stub", files), { parts: [part] });
  expect(results.score).toBe(0);
  expect(results.tests.map((t) => t.name)).toEqual(part.tests);
  for (const t of results.tests) {
    expect(t.output, t.name).not.toMatch(/ended without results|malformed results|do not build/);
    expect(t.output, t.name).toMatch(/test: FAIL/);
  }
}, 900_000);
