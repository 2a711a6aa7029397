// The manifest's rules: which files are the student's, and where reference tests run.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { allReferenceTests, findPart, PARTS, referencePresent, referenceTestsToRun, studentFilesIn } from "./labs.js";

const ROOT = path.resolve(import.meta.dirname, "..");
const tmp = mkdtempSync(path.join(tmpdir(), "labs-manifest-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function repo(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmp, "r-"));
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    writeFileSync(path.join(root, f), text);
  }
  return root;
}

const mark = ["// SOLU", "TION BEGIN\nx\n// SOLU", "TION END\n"].join("");

test("reference tests live in reference/ folders", () => {
  for (const f of allReferenceTests()) expect(f).toMatch(/^[a-z0-9]+\/reference\/[^/]+\.test\.ts$/);
});

test("every reference/*.test.ts file is some part's reference test, and every listed one exists", () => {
  // An unlisted one would run in a handout-less `make test` only by accident, and never
  // with its part; a listed one that is gone would silently stop running.
  const listed = allReferenceTests();
  const onDisk = readdirSync(ROOT, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== "node_modules" && existsSync(path.join(ROOT, e.name, "reference")))
    .flatMap((e) => readdirSync(path.join(ROOT, e.name, "reference")).filter((n) => n.endsWith(".test.ts")).map((n) => `${e.name}/reference/${n}`));
  expect(onDisk.filter((f) => !listed.includes(f))).toEqual([]);
  // A handout leaves the reference folders out altogether; where one is here, it is whole.
  const missing = listed.filter((f) => existsSync(path.join(ROOT, path.dirname(f))) && !existsSync(path.join(ROOT, f)));
  expect(missing).toEqual([]);
  expect(onDisk.length).toBeGreaterThan(0);
});

test("studentFilesIn: the listed files plus the student's helper files, never framework or test files", () => {
  // raft/log.ts, messages.ts, persistence.ts and progress.ts: our reference's helper files
  const raft = ["raft/log.ts", "raft/messages.ts", "raft/persistence.ts", "raft/progress.ts", "raft/raft.ts"];
  expect(studentFilesIn(findPart("2A")!, ROOT)).toEqual(raft);
  expect(studentFilesIn(findPart("3A")!, ROOT)).toEqual(["kvraft/client.ts", "kvraft/common.ts", "kvraft/server.ts", ...raft]);
  const root = repo({
    "raft/raft.ts": "a", "raft/election.ts": "b", "raft/config.ts": "c", "raft/x.test.ts": "d",
    "raft/notes.md": "e", "raft/reference/r.ts": "f", "raft/sub/deep.ts": "g",
  });
  expect(studentFilesIn(findPart("2A")!, root)).toEqual(["raft/election.ts", "raft/raft.ts"]);
});

test("the reference is present only with markers in a student file and every reference test file", () => {
  const p = findPart("2A")!;
  expect(referencePresent(p, ROOT)).toBe(true);
  expect(referenceTestsToRun(PARTS, ROOT)).toEqual(allReferenceTests());
  const files = Object.fromEntries(p.referenceTests!.files.map((f) => [f, "t"]));
  expect(referencePresent(p, repo({ "raft/raft.ts": "a student's raft", ...files }))).toBe(false);
  expect(referencePresent(p, repo({ "raft/raft.ts": mark, ...files }))).toBe(true);
  expect(referencePresent(p, repo({ "raft/raft.ts": "export {};\n", "raft/election.ts": mark, ...files }))).toBe(true);
  expect(referencePresent(p, repo({ "raft/raft.ts": mark }))).toBe(false);
  expect(referencePresent(findPart("2B")!, ROOT)).toBe(false); // 2B names no reference tests
});
