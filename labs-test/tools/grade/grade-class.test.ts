import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import AdmZip from "adm-zip";
import { execa } from "execa";
import * as tar from "tar";
import { afterAll, expect, test } from "vitest";
import { studentId } from "./class-roster.js";
import { classFileSchema } from "./grade-class.js";
import { reference, referenceHelpers, stub } from "./grade-fixtures.js";
import { csvField } from "./gradebook.js";

// A class graded in two shards with exactly the commands a CI matrix job and a Slurm array
// task run (docs/ci/grade-class.sh, docs/ci/grade-class.slurm), then joined; resumed; and a
// shard of another plan refused. Students: the reference (a folder), the stub (a .zip), the
// stub again under a name with a space (a .tgz), and a file that only claims to be a zip.

const scratch = mkdtempSync(path.join(tmpdir(), "labs-class-test-"));
chmodSync(scratch, 0o755); // the grader's workers may run as a uid of their own
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const subs = path.join(scratch, "submissions");
const work = path.join(scratch, "work");

/** The environment of a shard job: the class's settings, short limits, no type check. */
const classEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  SUBMISSIONS: subs,
  PARTS: "2A",
  COUNT: "1",
  SEED: "7",
  WORK: work,
  TYPECHECK: "0",
  PARALLEL: "2",
  TEST_WALL_S: "20",
  // The test runner installed the packages; a stale stamp must not make make reinstall them under running tests.
  MAKEFLAGS: "--old-file=node_modules/.installed",
  ...extra,
});

async function buildClass(): Promise<void> {
  const alice = path.join(subs, "alice", "raft");
  mkdirSync(alice, { recursive: true });
  writeFileSync(path.join(alice, "raft.ts"), reference);
  for (const [f, text] of Object.entries(referenceHelpers)) writeFileSync(path.join(subs, "alice", f), text);
  const zip = new AdmZip();
  zip.addFile("raft/raft.ts", Buffer.from(stub));
  zip.writeZip(path.join(subs, "bob.zip"));
  const eve = path.join(scratch, "eve");
  mkdirSync(path.join(eve, "raft"), { recursive: true });
  writeFileSync(path.join(eve, "raft/raft.ts"), stub);
  await tar.c({ gzip: true, file: path.join(subs, "Eve Smith.tgz"), cwd: eve }, ["raft"]);
  writeFileSync(path.join(subs, "mallory.zip"), "not a zip\n");
  writeFileSync(path.join(subs, ".DS_Store"), "");
}

function gradebook(dir: string): string[][] {
  return readFileSync(path.join(dir, "gradebook.csv"), "utf8").trim().split("\n").map((l) => l.split(","));
}

test("student ids and CSV fields are safe whatever the submissions are called", () => {
  expect(studentId("Eve Smith.tgz")).toBe("Eve_Smith");
  expect(studentId("..x.zip")).toBe("_x");
  expect(studentId("a/b")).toBe("a_b");
  expect(csvField("=cmd()")).toBe("'=cmd()");
  expect(csvField('a,"b"')).toBe('"a,""b"""');
});

test("a class in two shards (a CI matrix job and a Slurm array task), joined into one gradebook; resumed; a shard of another plan refused", async () => {
  await buildClass();
  // Shard 1 as a GitHub Actions matrix job runs it; shard 2 as Slurm runs an array task.
  const gh = await execa("docs/ci/grade-class.sh", ["shard", "1", "2"], { env: classEnv(), reject: false, all: true });
  expect(gh.exitCode, gh.all).toBe(0);
  const slurm = await execa("bash", ["docs/ci/grade-class.slurm"], {
    env: classEnv({ SLURM_ARRAY_TASK_ID: "2", SLURM_ARRAY_TASK_COUNT: "2", SLURM_SUBMIT_DIR: process.cwd() }),
    reject: false,
    all: true,
  });
  expect(slurm.exitCode, slurm.all).toBe(0);
  expect(gradebook(path.join(work, "class-shard-1")).map((r) => r[0])).toEqual(["student", "Eve_Smith", "bob"]);
  expect(gradebook(path.join(work, "class-shard-2")).map((r) => r[0])).toEqual(["student", "alice", "mallory"]);
  expect(slurm.all).toMatch(/s per student, so 300 students take about [\d.]+ h on this machine/);

  const merge = await execa("docs/ci/grade-class.sh", ["merge"], { env: classEnv(), reject: false, all: true });
  expect(merge.exitCode, merge.all).toBe(0);
  const rows = gradebook(path.join(work, "class"));
  expect(rows[0]).toEqual(["student", "2A", "total", "max", "status", "seeds", "profile"]);
  const by = Object.fromEntries(rows.slice(1).map((r) => [r[0], r.slice(1)]));
  expect(Object.keys(by)).toEqual(["Eve_Smith", "alice", "bob", "mallory"]);
  expect(by.alice).toEqual(["15", "15", "15", "ok", "7", "course"]);
  expect(by.bob).toEqual(["0", "0", "15", "ok", "7", "course"]);
  expect(by.Eve_Smith).toEqual(["0", "0", "15", "ok", "7", "course"]);
  expect(by.mallory!.slice(0, 3)).toEqual(["0", "0", "15"]);
  expect(by.mallory![3]).toMatch(/^2A not graded: .*mallory\.zip is not a readable zip archive/);
  for (const id of ["alice", "bob", "Eve_Smith", "mallory"]) {
    for (const f of ["results.json", "junit.xml", "runs.json"]) readFileSync(path.join(work, "class/students", id, f));
  }

  // Run again: every student is already graded under this plan.
  const again = await execa("docs/ci/grade-class.sh", ["shard", "1", "2"], { env: classEnv(), reject: false, all: true });
  expect(again.exitCode, again.all).toBe(0);
  expect(again.all).toMatch(/0 graded now, 2 already graded/);

  // A shard graded under other seeds does not join this class.
  const other = path.join(work, "class-shard-3");
  cpSync(path.join(work, "class-shard-2"), other, { recursive: true });
  const file = classFileSchema.parse(JSON.parse(readFileSync(path.join(other, "class.json"), "utf8")));
  writeFileSync(path.join(other, "class.json"), JSON.stringify({ ...file, plan: { ...file.plan, seeds: [8] } }));
  const refused = await execa("docs/ci/grade-class.sh", ["merge"], { env: classEnv(), reject: false, all: true });
  expect(refused.exitCode).toBe(2);
  expect(refused.all).toMatch(/class-shard-3 was graded under another plan than .*class-shard-1/);
}, 600_000);
