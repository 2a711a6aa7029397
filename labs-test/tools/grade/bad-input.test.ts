import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import AdmZip from "adm-zip";
import { execa } from "execa";
import * as tar from "tar";
import { afterAll, expect, test } from "vitest";
import { gradescopeResultsSchema } from "./gradescope.js";
import { unsafeEntry } from "./submission.js";

// make grade with bad input: a clear error, and nothing written outside OUT.

const scratch = mkdtempSync(path.join(tmpdir(), "labs-grade-bad-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function gradeCli(args: string[]): Promise<{ code: number; stderr: string }> {
  const r = await execa("node_modules/.bin/tsx", ["labs-test/tools/grade/grade-cli.ts", ...args], { reject: false });
  return { code: r.exitCode ?? -1, stderr: r.stderr };
}

test("archive entry names: absolute paths and .. are refused, ordinary paths pass", () => {
  expect(unsafeEntry("/etc/passwd")).toMatch(/absolute/);
  expect(unsafeEntry("C:\\x.ts")).toMatch(/absolute/);
  expect(unsafeEntry("raft/../../x.ts")).toMatch(/\.\./);
  expect(unsafeEntry("..\\x.ts")).toMatch(/\.\./);
  expect(unsafeEntry("raft/raft.ts")).toBeUndefined();
  expect(unsafeEntry("my..notes/raft.ts")).toBeUndefined();
});

test("bad submissions and settings give a clear error; nothing lands outside OUT", async () => {
  const sub = path.join(scratch, "sub");
  mkdirSync(path.join(sub, "raft"), { recursive: true });
  writeFileSync(path.join(sub, "raft/raft.ts"), "export {};\n");
  const txt = path.join(scratch, "notes.txt");
  writeFileSync(txt, "not a submission\n");

  // A tar.gz holding an absolute path, and a zip with a `..` entry, both aimed at scratch/escaped.ts.
  const escaped = path.join(scratch, "escaped.ts");
  const tarFile = path.join(scratch, "abs.tar.gz");
  writeFileSync(escaped, "export {};\n");
  await tar.c({ gzip: true, file: tarFile, preservePaths: true }, [escaped]);
  rmSync(escaped);
  const zipFile = path.join(scratch, "dotdot.zip");
  const zip = new AdmZip();
  zip.addFile("raft/raft.ts", Buffer.from("export {};\n"));
  // adm-zip cleans names it writes, so the hostile name goes in as same-length bytes.
  zip.addFile("x/QQ/QQ/escaped.ts", Buffer.from("export {};\n"));
  const bytes = zip.toBuffer();
  writeFileSync(zipFile, Buffer.from(bytes.toString("latin1").split("x/QQ/QQ/escaped.ts").join("x/../../escaped.ts"), "latin1"));
  expect(new AdmZip(zipFile).getEntries().map((e) => e.entryName)).toContain("x/../../escaped.ts");

  const out = (name: string): string => path.join(scratch, `out-${name}`);
  const base = (name: string, extra: string[]): string[] => ["--submission", sub, "--parts", "2A", "--count", "1", "--out", out(name), ...extra];
  const cases: Array<[string, string[], number, RegExp]> = [
    ["txt", ["--submission", txt, "--parts", "2A", "--out", out("txt")], 1, /neither a folder nor a \.tar\.gz, \.tgz or \.zip/],
    ["tar", ["--submission", tarFile, "--parts", "2A", "--out", out("tar")], 1, /unsafe entries: absolute path/],
    ["zip", ["--submission", zipFile, "--parts", "2A", "--out", out("zip")], 1, /unsafe entries: path with \.\./],
    ["missing", ["--submission", path.join(scratch, "nope"), "--parts", "2A", "--out", out("missing")], 1, /does not exist/],
    ["parts", base("parts", []).map((a) => (a === "2A" ? "2A,9Z" : a)), 2, /PARTS names "9Z", which is not a graded part/],
    ["count0", base("count0", []).map((a, i, all) => (all[i - 1] === "--count" ? "0" : a)), 2, /COUNT must be between 1/],
    ["countx", base("countx", []).map((a, i, all) => (all[i - 1] === "--count" ? "ten" : a)), 2, /COUNT must be a positive integer/],
    ["shard", base("shard", ["--seed", "5", "--shard", "5/4"]), 2, /SHARD=5\/4: i must be between 1 and 4/],
    ["shard-noseed", base("shard-noseed", ["--shard", "1/4"]), 2, /SHARD needs SEED/],
    ["profile", base("profile", ["--profile", "lenient"]), 2, /PROFILE="lenient" is not a grading profile; profiles: course \(the course's graded tests and points\), strict \(/],
    ["stall", base("stall", ["--stall-cpu-s", "0"]), 2, /STALL_S must be between 1 and 3600/],
  ];
  const results = await Promise.all(cases.map(([, args]) => gradeCli(args)));
  cases.forEach(([name, , code, re], i) => {
    expect(results[i]!.stderr, name).toMatch(re);
    expect(results[i]!.code, name).toBe(code);
    const o = out(name);
    if (code === 2) {
      expect(existsSync(o), `${name}: nothing written`).toBe(false);
    } else {
      // An unusable submission still gets a valid results.json (score 0) in OUT.
      const r = gradescopeResultsSchema.parse(JSON.parse(readFileSync(path.join(o, "results.json"), "utf8")));
      expect(r.score, name).toBe(0);
    }
  });
  expect(existsSync(escaped)).toBe(false);
  expect(readdirSync(scratch).filter((f) => f.startsWith("escaped"))).toEqual([]);
}, 900_000); // a dozen CLI starts: minutes on a loaded machine

test("make grade-class with a bad SUBMISSIONS folder or settings: a clear error, nothing written", async () => {
  const out = path.join(scratch, "class-out");
  const run = (args: string[]) => execa("node", ["--import", "tsx", "labs-test/tools/grade/grade-class-cli.ts", "--out", out, "--parts", "2A", ...args], { reject: false });
  const empty = path.join(scratch, "no-students");
  mkdirSync(empty);
  writeFileSync(path.join(empty, "notes.txt"), "not a submission\n");
  const cases: Array<[string[], RegExp]> = [
    [["--submissions", path.join(scratch, "nope")], /SUBMISSIONS=.*nope: not a readable folder/],
    [["--submissions", empty], /holds no submission \(a folder or a \.zip\/\.tar\.gz\/\.tgz per student\)/],
    [["--submissions", empty, "--profile", "lenient"], /PROFILE="lenient" is not a grading profile; profiles: course .*, strict/],
    [["--submissions", empty, "--shard", "1/2"], /SHARD needs SEED/],
  ];
  for (const [args, re] of cases) {
    const r = await run(args);
    expect(r.stderr, args.join(" ")).toMatch(re);
    expect(r.exitCode).toBe(2);
  }
  expect(existsSync(path.join(out, "gradebook.csv"))).toBe(false);
}, 600_000);
