import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import AdmZip from "adm-zip";
import { execa } from "execa";
import { afterAll, expect, test } from "vitest";
import { findPart, PARTS, studentFilesIn } from "../../labs.js";
import { buildAutograderZip } from "./autograder-zip.js";
import { gradescopeResultsSchema } from "./gradescope.js";

// The autograder zip, unpacked into a folder laid out like Gradescope's /autograder,
// grades the submission there and leaves results/results.json.

const scratch = mkdtempSync(path.join(tmpdir(), "labs-autograder-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

test("the zip has setup.sh and run_autograder at its root, the source and lockfile, and no student file", () => {
  const file = buildAutograderZip(process.cwd(), scratch, ["2A"], 1);
  const names = new AdmZip(file).getEntries().map((e) => e.entryName);
  expect(names).toEqual(expect.arrayContaining(["setup.sh", "run_autograder", "package.json", "package-lock.json", "raft/raft.test.ts", "labs-test/tools/grade/grade-cli.ts"]));
  for (const f of PARTS.flatMap((p) => p.studentFiles)) expect(names).not.toContain(f);
  expect(names.some((n) => n.startsWith("node_modules/"))).toBe(false);
});

test("run_autograder grades /autograder/submission into /autograder/results/results.json", async () => {
  const root = path.join(scratch, "autograder");
  const source = path.join(root, "source");
  mkdirSync(path.join(root, "submission/raft"), { recursive: true });
  mkdirSync(path.join(root, "results"), { recursive: true });
  // The reference as a student would hand it in: raft.ts and the helper files beside it.
  for (const f of studentFilesIn(findPart("2A")!, ".")) writeFileSync(path.join(root, "submission", f), readFileSync(f));
  new AdmZip(buildAutograderZip(process.cwd(), scratch, ["2A"], 1)).extractAllTo(source);
  // setup.sh would npm ci here; the installed packages stand in.
  symlinkSync(path.resolve("node_modules"), path.join(source, "node_modules"), "dir");
  const syntax = await execa("bash", ["-n", path.join(source, "setup.sh")], { reject: false });
  expect(syntax.exitCode).toBe(0);
  const r = await execa("bash", [path.join(source, "run_autograder"), "--no-typecheck", "--seed", "77"], {
    env: { AUTOGRADER_ROOT: root },
    reject: false,
  });
  expect(r.exitCode, r.stderr).toBe(0);
  const results = gradescopeResultsSchema.parse(JSON.parse(readFileSync(path.join(root, "results/results.json"), "utf8")));
  expect(results.score).toBe(15);
  expect(results.extra_data).toMatchObject({ seeds: [77] });
}, 180_000);
