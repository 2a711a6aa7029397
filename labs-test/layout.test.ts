import { posix } from "node:path";
import { globSync } from "glob";
import { expect, test } from "vitest";
import { findPart } from "../../labs-test/labs.js";
import { relativeImports } from "../../labs-test/harness/relative-imports.js";
import { projectRoot } from "./paths.js";

// As the course's src/mr holds only coordinator.go, worker.go and rpc.go, the top of mr/
// holds only the student's files (and any helper file a student adds beside them): the
// framework's own files live in mr/framework/, mr/main/ and mr/transport/. So nothing
// the framework owns may depend on a top-level mr/ file other than the student files.
const FRAMEWORK_GLOBS = ["mr/framework/**/*.ts", "mr/main/**/*.ts", "mr/transport/**/*.ts", "apps/**/*.ts", "labs-test/**/*.ts"];

test("the framework imports nothing from the top of mr/ but the student files", () => {
  const student = new Set(findPart("mr")!.studentFiles);
  const files = globSync(FRAMEWORK_GLOBS, { cwd: projectRoot, posix: true });
  expect(files.length).toBeGreaterThan(20);
  const found: string[] = [];
  for (const f of files) {
    for (const target of relativeImports(projectRoot, f)) {
      if (posix.dirname(target) === "mr" && !student.has(target)) found.push(`${f} imports ${target}`);
    }
  }
  expect(found, "move framework files out of the top of mr/ (into mr/framework/)").toEqual([]);
});
