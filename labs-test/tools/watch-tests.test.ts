// make watch-XX's resident test process (watch-tests.ts, watch-worker.ts), in a copy of the
// project (its raft/raft.ts is edited between rounds): a save's code is what the next round
// runs, a broken, crashing or endlessly looping student file is reported as a failure and
// the next save runs again.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, expect, test } from "vitest";
import { ResidentTests } from "./watch-tests.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
/** Not needed to load the raft tests (the sandbox's facades import every lab's framework). */
const LEFT_OUT = ["playground/", "docs/", "apps/", "mr/"];
const SPECS = [{ files: ["raft/raft.test.ts"], namePattern: /^TestInitialElection2A$/ }];
const LEADER = 'isLeader = this.role === "leader" && !this.dead;';

let dir = "";
let original = "";
let tests: ResidentTests;

beforeAll(() => {
  if (!withSolution) return;
  dir = mkdtempSync(path.join(tmpdir(), "labs-watch-"));
  const tracked = execFileSync("git", ["ls-files"], { cwd: ROOT, encoding: "utf8" })
    .split("\n")
    .filter((f) => f !== "" && !LEFT_OUT.some((d) => f.startsWith(d)) && existsSync(path.join(ROOT, f)));
  for (const f of tracked) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    cpSync(path.join(ROOT, f), path.join(dir, f));
  }
  symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  original = readFileSync(path.join(dir, "raft/raft.ts"), "utf8");
  tests = new ResidentTests(dir, ["raft/raft.test.ts"], "ignore");
});

afterAll(() => {
  tests?.close();
  if (dir !== "") rmSync(dir, { recursive: true, force: true });
});

function save(text: string): void {
  writeFileSync(path.join(dir, "raft/raft.ts"), text);
}

async function round(): Promise<{ passed: number; failed: number; started: boolean }> {
  let started = false;
  const c = await tests.run(SPECS, () => (started = true));
  return { passed: c.passed, failed: c.failed, started };
}

// Our solution must be in the student file to break it (a handout has stubs there).
const withSolution = readFileSync(path.join(ROOT, "raft/raft.ts"), "utf8").includes(LEADER);

test.skipIf(!withSolution)("each save's code runs in the next round; a broken, crashing or looping file fails its round and the next save runs", async () => {
  expect(await round()).toEqual({ passed: 1, failed: 0, started: true });
  // The same process, the saved code: no leader is ever reported.
  save(original.replace(LEADER, "isLeader = false;"));
  expect(await round()).toMatchObject({ passed: 0, failed: 1 });
  save(original);
  expect(await round()).toMatchObject({ passed: 1, failed: 0 });
  // A syntax error: the file does not load, the round says so.
  save(original.replace(LEADER, `${LEADER} const x: number = (;`));
  expect(await round()).toMatchObject({ passed: 0, failed: 1 });
  // An endless loop as the module loads: the process is stopped, the round fails.
  save(original.replace("export class Raft", "while (true) {}\nexport class Raft"));
  expect(await round()).toMatchObject({ passed: 0, failed: 1 });
  // The fix, in a fresh process.
  save(original);
  expect(await round()).toEqual({ passed: 1, failed: 0, started: true });
}, 240_000);
