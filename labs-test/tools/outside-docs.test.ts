import { readFileSync } from "node:fs";
import { globSync } from "glob";
import { expect, test } from "vitest";

// The repository must explain itself: a comment or README that sends its reader to a
// document outside it (the specification the project was built from, a design note on
// someone's machine) leaves a contributor or a student with a dead reference. Say the
// substance instead. (Patterns are built from pieces so that this file does not match
// itself; the course texts' data folder beside the project is a path, not a document.)
const OUTSIDE: Array<[RegExp, string]> = [
  [new RegExp("\\bspec\\s+" + "§"), "a section of the specification"],
  [new RegExp("spec-(mr-raft|kv-shard)" + "(\\.md)?"), "the specification files"],
  [new RegExp("\\bDESIGN" + "\\.md\\b"), "the design note"],
  [new RegExp("shared/" + "spec\\b"), "the specification folder"],
  [new RegExp("/work/" + "(main|shared|wt)\\b"), "a path on the build machine"],
];

export function outsideReferences(files: string[]): string[] {
  const found: string[] = [];
  for (const f of files) {
    readFileSync(f, "utf8")
      .split("\n")
      .forEach((line, i) => {
        for (const [re, what] of OUTSIDE) {
          if (re.test(line)) found.push(`${f}:${i + 1}: refers to ${what}: ${line.trim()}`);
        }
      });
  }
  return found;
}

test("no source file or document refers to a document outside the repository", () => {
  const files = globSync("**/*.{ts,js,mjs,md,json}", {
    ignore: ["node_modules/**", "build/**", "handout/**", ".labs-runs/**", "package-lock.json"],
  });
  expect(files.length).toBeGreaterThan(10);
  const found = outsideReferences(files);
  expect(found, `say the substance instead:\n${found.join("\n")}`).toEqual([]);
});

test("the check catches each kind of outside reference", () => {
  const samples = ["as the dispatcher does (spec " + "§1.2)", "see spec-" + "kv-shard.md", "DESIGN" + ".md", "/work/" + "shared/x"];
  for (const s of samples) expect(OUTSIDE.some(([re]) => re.test(s)), s).toBe(true);
  expect(OUTSIDE.some(([re]) => re.test("resolve(projectRoot, '..', 'shared', 'data')")), "the data path is fine").toBe(false);
  expect(OUTSIDE.some(([re]) => re.test("thesis §9.6 PreVote")), "published papers are fine").toBe(false);
});
