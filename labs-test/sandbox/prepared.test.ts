// What make test-XX's runner prepares for vitest's workers (prepare-changed.ts):
// the worker must get the body of the file as it is now, never an older one, and nothing
// for a file changed since the runner prepared it (it then transpiles the file itself).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { prepareChanged } from "./prepare-changed.js";
import { preparedBody, preparedExportNames } from "./prepared.js";
import { studentFilesUnder } from "./student-shims.js";
import { transpileStudentFile } from "./transpile.js";

const root = mkdtempSync(path.join(tmpdir(), "prepared-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const raft = path.join(root, "raft/raft.ts");

function write(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

test("the runner prepares what changed, once; a worker finds the current version only", () => {
  const v1 = "export const a = 1;\n";
  write(raft, v1);
  expect(preparedBody(root, raft, v1)).toBeUndefined();
  expect(prepareChanged(root)).toBeGreaterThan(0);
  expect(preparedBody(root, raft, v1)).toBe(transpileStudentFile(raft, v1));
  expect(preparedExportNames(root, studentFilesUnder(root))?.get(raft)).toEqual(["a"]);
  // Nothing changed: nothing is made again.
  expect(prepareChanged(root)).toBe(0);

  const v2 = "export const a = 1;\nexport function b(): number {\n  return 2;\n}\n";
  write(raft, v2);
  // Saved after the runner prepared: the worker gets nothing and transpiles for itself.
  expect(preparedBody(root, raft, v2)).toBeUndefined();
  expect(preparedExportNames(root, studentFilesUnder(root))).toBeUndefined();
  expect(prepareChanged(root)).toBe(2); // the body and the export names
  expect(preparedBody(root, raft, v2)).toBe(transpileStudentFile(raft, v2));
  expect(preparedExportNames(root, studentFilesUnder(root))?.get(raft)).toEqual(["a", "b"]);
  // The older version's body is gone.
  expect(preparedBody(root, raft, v1)).toBeUndefined();
  expect(readdirSync(path.join(root, ".labs-runs/prepared/raft"))).toHaveLength(1);
});

test("a change to the preparer (its transpiler here) makes every prepared entry stale", () => {
  const v = "export const c = 3;\n";
  write(raft, v);
  prepareChanged(root);
  expect(preparedBody(root, raft, v)).toBeDefined();
  // preparedBody reads the preparer's files once per process: ask as a fresh process would,
  // by a root path spelled differently (its own entry in that memo).
  write(path.join(root, "labs-test/sandbox/transpile.ts"), "// another transpiler\n");
  const fresh = `${root}${path.sep}.${path.sep}`;
  expect(preparedBody(fresh, path.join(fresh, "raft/raft.ts"), v)).toBeUndefined();
  expect(existsSync(path.join(root, ".labs-runs/prepared/export-names.json"))).toBe(true);
  expect(preparedExportNames(fresh, studentFilesUnder(fresh))).toBeUndefined();
});

test("a file TypeScript cannot read is left to the worker, which reports it", () => {
  const bad = "export const = ;\n";
  write(raft, bad);
  prepareChanged(root);
  expect(preparedBody(root, raft, bad)).toBeUndefined();
  expect(() => transpileStudentFile(raft, bad)).toThrow(/raft\.ts:1/);
});
