// One layout for every lab (labs.ts, COURSE_FILES_BESIDE_STUDENT_FILES): the top of a lab's
// folder holds the student files, the tests and the course's own files beside them (its
// config.ts, Raft's persister); everything else of the framework lives in a subfolder
// (`<lab>/framework/`, mr's `main/` and `transport/`). As the course's src/raft holds
// raft.go beside config.go, persister.go and test_test.go, and src/mr only the student's
// three files. This file ships in a handout and holds there too.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { globSync } from "glob";
import { expect, test } from "vitest";
import { relativeImports } from "./harness/relative-imports.js";
import { FRAMEWORK_FILES_BESIDE_STUDENT_FILES, FRAMEWORK_FOLDERS, labFolders, PARTS } from "./labs.js";
import { hasMarkers } from "./solution-markers.js";

const ROOT = path.resolve(import.meta.dirname, "..");
// The labs with student files (labrpc has none: it is all framework).
const LABS = labFolders(PARTS.filter((p) => p.studentFiles.length > 0));
const student = new Set(PARTS.flatMap((p) => p.studentFiles));
const besides = new Set(FRAMEWORK_FILES_BESIDE_STUDENT_FILES);

/** Top-level `.ts` files of a lab folder that are neither tests nor declarations. */
function topFiles(lab: string): string[] {
  const dir = path.join(ROOT, lab);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") && !e.name.endsWith(".d.ts"))
    .map((e) => `${lab}/${e.name}`);
}

test("the top of a lab folder: student files, the course's files beside them, tests; nothing else of ours", () => {
  expect(LABS).toEqual(expect.arrayContaining(["mr", "raft", "kvraft", "shardctrler", "shardkv"]));
  // A file there that is neither the student's nor listed beside them is a student helper:
  // ours are wholly solution (between markers); a framework file left at the top is not.
  const stray = LABS.flatMap(topFiles).filter((f) => !student.has(f) && !besides.has(f) && !hasMarkers(readFileSync(path.join(ROOT, f), "utf8")));
  expect(stray, "move framework files into <lab>/framework/ (or list a course file in labs.ts)").toEqual([]);
  for (const f of besides) expect(existsSync(path.join(ROOT, f)), f).toBe(true);
});

test("the framework imports nothing from the top of a lab folder but student files and the course's files beside them", () => {
  // The framework: every subfolder of a lab but reference/ (our tests of our solution's
  // internals may read its helper files), the harness and tests at the top, the shared folders.
  const globs = [
    ...LABS.flatMap((l) => [`${l}/*/**/*.ts`, `${l}/*.test.ts`]),
    ...[...besides],
    "apps/**/*.ts", "labs-test/**/*.ts", "runtime/**/*.ts", "porcupine/**/*.ts",
  ];
  const files = globSync(globs, { cwd: ROOT, posix: true, ignore: LABS.map((l) => `${l}/reference/**`) });
  expect(files.length).toBeGreaterThan(100);
  const found: string[] = [];
  for (const f of files) {
    for (const target of relativeImports(ROOT, f)) {
      if (LABS.includes(path.posix.dirname(target)) && !student.has(target) && !besides.has(target)) found.push(`${f} imports ${target}`);
    }
  }
  expect(found, "move framework files out of the top of a lab folder (into <lab>/framework/)").toEqual([]);
});

test("tsconfig.json type-checks the framework's folders and every lab's, as the manifest names them", () => {
  const { include } = JSON.parse(readFileSync(path.join(ROOT, "tsconfig.json"), "utf8")) as { include: string[] };
  const want = [...new Set([...FRAMEWORK_FOLDERS, ...labFolders(), "vitest.config.ts"])];
  expect(new Set(include), `tsconfig.json's "include": ${JSON.stringify(want)}`).toEqual(new Set(want));
});
