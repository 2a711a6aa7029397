// The manifest's rules: which files are the student's, and where reference tests run.
// This file ships in a handout: checks of this tree hold both in our repository (reference
// solution and reference tests present) and in a student's tree (neither); the exact rules
// are checked on small trees made here.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import {
  allReferenceTests, findPart, FORMER_FRAMEWORK_FILES, FRAMEWORK_FILES_BESIDE_STUDENT_FILES, PARTS, referencePresent, referenceTestsToRun, studentFilesIn,
} from "./labs.js";

const ROOT = path.resolve(import.meta.dirname, "..");
/** Our repository (every reference test here), or a student's tree (none: a handout leaves them out). */
const REFERENCE_HERE = allReferenceTests().every((f) => existsSync(path.join(ROOT, f)));
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
  // In our repository the scan must find them all (the scan itself works).
  if (REFERENCE_HERE) expect(onDisk.sort()).toEqual([...listed].sort());
  else expect(onDisk).toEqual([]);
});

test("studentFilesIn: the listed files plus the student's helper files, never framework or test files", () => {
  // This tree: whatever helper files its Raft has (our reference's, or a student's), never
  // a framework or test file, and the listed files always.
  const framework = new Set(FRAMEWORK_FILES_BESIDE_STUDENT_FILES);
  for (const id of ["2A", "3A", "4B"]) {
    const got = studentFilesIn(findPart(id)!, ROOT);
    expect(got.filter((f) => framework.has(f) || f.endsWith(".test.ts") || f.split("/").length !== 2)).toEqual([]);
    for (const f of findPart(id)!.studentFiles) expect(got).toContain(f);
  }
  // Our layout exactly: a Raft with four helper files beside raft.ts, and the kvraft files.
  const ours = repo({
    "raft/raft.ts": "", "raft/log.ts": "", "raft/messages.ts": "", "raft/persistence.ts": "", "raft/progress.ts": "",
    "raft/config.ts": "", "raft/persister.ts": "", "raft/raft.test.ts": "",
    "kvraft/client.ts": "", "kvraft/common.ts": "", "kvraft/server.ts": "", "kvraft/config.ts": "", "kvraft/framework/rpc-schemas.ts": "",
  });
  const raft = ["raft/log.ts", "raft/messages.ts", "raft/persistence.ts", "raft/progress.ts", "raft/raft.ts"];
  expect(studentFilesIn(findPart("2A")!, ours)).toEqual(raft);
  expect(studentFilesIn(findPart("3A")!, ours)).toEqual(["kvraft/client.ts", "kvraft/common.ts", "kvraft/server.ts", ...raft]);
  const root = repo({
    "raft/raft.ts": "a", "raft/election.ts": "b", "raft/config.ts": "c", "raft/x.test.ts": "d",
    "raft/notes.md": "e", "raft/reference/r.ts": "f", "raft/sub/deep.ts": "g",
  });
  expect(studentFilesIn(findPart("2A")!, root)).toEqual(["raft/election.ts", "raft/raft.ts"]);
  // A submission from a handout made before the framework files moved into <lab>/framework/:
  // those files are still beside the student's, and are not the student's code.
  const old = repo({
    "raft/raft.ts": "", "raft/bench.ts": "", "raft/election.ts": "",
    "kvraft/client.ts": "", "kvraft/common.ts": "", "kvraft/server.ts": "",
    "kvraft/bench.ts": "", "kvraft/clerk-guard.ts": "", "kvraft/rpc-schemas.ts": "", "kvraft/test-cluster.ts": "",
  });
  expect(studentFilesIn(findPart("3A")!, old)).toEqual(["kvraft/client.ts", "kvraft/common.ts", "kvraft/server.ts", "raft/election.ts", "raft/raft.ts"]);
  // Every former framework file lives in framework/ now.
  for (const f of FORMER_FRAMEWORK_FILES) expect(existsSync(path.join(ROOT, path.dirname(f), "framework", path.basename(f))), f).toBe(true);
});

test("the reference is present only with markers in a student file and every reference test file", () => {
  const p = findPart("2A")!;
  // Here: present in our repository; never in a student's tree, even with our solution put back.
  expect(referencePresent(p, ROOT)).toBe(REFERENCE_HERE);
  expect(referenceTestsToRun(PARTS, ROOT)).toEqual(REFERENCE_HERE ? allReferenceTests() : []);
  const files = Object.fromEntries(p.referenceTests!.files.map((f) => [f, "t"]));
  expect(referencePresent(p, repo({ "raft/raft.ts": "a student's raft", ...files }))).toBe(false);
  expect(referencePresent(p, repo({ "raft/raft.ts": mark, ...files }))).toBe(true);
  expect(referencePresent(p, repo({ "raft/raft.ts": "export {};\n", "raft/election.ts": mark, ...files }))).toBe(true);
  expect(referencePresent(p, repo({ "raft/raft.ts": mark }))).toBe(false);
  expect(referencePresent(findPart("2B")!, ROOT)).toBe(false); // 2B names no reference tests
});
