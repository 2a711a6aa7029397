// Bugs students really write, planted one at a time into a scratch copy of the repository
// (our reference raft/raft.ts with one edit), each beside the extra test written to catch
// it. planted-bugs.test.ts checks that each test still fails on its bug in every seed it
// runs; run this file to see, for more seeds, how the course's own tests of the same part
// fare against the same bug:
//   tsx raft/reference/planted-bugs.ts [--count n] [--seed n] [--course] [bug…]

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { execa } from "execa";
import { findPart } from "../../labs-test/labs.js";
import { copyRepo } from "./student-raft/scratch.js";

export interface PlantedBug {
  name: string;
  /** What a student's Raft does wrong. */
  bug: string;
  part: "2A" | "2B" | "2C" | "2D";
  /** The extra test that must catch it. */
  test: string;
  /** Edits to raft/raft.ts: each `from` must occur exactly once. */
  edits: { from: string; to: string }[];
}

export const PLANTED_BUGS: PlantedBug[] = [
  {
    name: "figure8-count-old-term",
    bug: "a leader commits an entry of an earlier term by counting its replicas",
    part: "2C",
    test: "TestFigure8Directed2C",
    edits: [{ from: "if (n > this.commitIndex && this.log.termAt(n) === this.currentTerm) {", to: "if (n > this.commitIndex) {" }],
  },
  {
    name: "timer-reset-every-vote",
    bug: "a follower resets its election timer on every (pre-)vote request, granted or not",
    part: "2A",
    test: "TestElectionAfterStaleCandidate2A",
    edits: [{ from: "    const p = this.progress[args.candidateId];", to: '    if (this.role !== "leader") this.resetElectionTimer();\n    const p = this.progress[args.candidateId];' }],
  },
  {
    name: "truncate-on-old-append",
    bug: "a follower truncates its log at every AppendEntries, even an old duplicate whose entries it holds",
    part: "2B",
    test: "TestDuplicateAppend2B",
    edits: [{ from: "      if (index <= log.lastIndex() && log.termAt(index) === entries[i]![0]) continue;\n", to: "" }],
  },
  {
    name: "commit-to-own-last-index",
    bug: "a follower commits up to min(leaderCommit, its own last index), past what the message matched",
    part: "2B",
    test: "TestCommitBoundedByMatch2B",
    edits: [
      {
        from: "if (Math.min(args.leaderCommit, lastNew) > this.commitIndex) this.setCommitIndex(Math.min(args.leaderCommit, lastNew));",
        to: "if (Math.min(args.leaderCommit, log.lastIndex()) > this.commitIndex) this.setCommitIndex(Math.min(args.leaderCommit, log.lastIndex()));",
      },
    ],
  },
  {
    name: "old-term-reply-counted",
    bug: "a leader takes an AppendEntries reply to a request of an earlier term as proof of a match",
    part: "2B",
    test: "TestStaleTermReply2B",
    edits: [
      { from: 'return this.role === "leader" && this.currentTerm === term && this.progress[p.peer] === p;', to: 'return this.role === "leader";' },
      { from: "      p.matched(args.prevLogIndex + args.entries.length);", to: "      (this.progress[p.peer] ?? p).matched(args.prevLogIndex + args.entries.length);" },
    ],
  },
  {
    name: "old-snapshot-reapplied",
    bug: "a follower installs an old InstallSnapshot below its commit point and hands it to the service again",
    part: "2D",
    test: "TestOldSnapshot2D",
    edits: [
      {
        from: "      if (index > this.commitIndex) {\n",
        to:
          "      if (index !== this.log.base && index <= this.commitIndex) {\n" +
          "        this.log.base = index;\n" +
          "        this.log.entries = [[args.lastIncludedTerm, null]];\n" +
          "        this.snapshotData = args.data;\n" +
          "        this.commitIndex = index;\n" +
          "        this.lastApplied = index - 1;\n" +
          "        this.wakeApplier();\n" +
          "      } else if (index > this.commitIndex) {\n",
      },
    ],
  },
];

/**
 * source (a raft.ts) with bug's edits applied.
 * @throws Error naming the bug and the edit whose `from` does not occur exactly once
 *   (the reference changed: update the plant).
 */
export function plant(bug: PlantedBug, source: string): string {
  let out = source;
  for (const e of bug.edits) {
    const n = out.split(e.from).length - 1;
    if (n !== 1) throw new Error(`planted bug ${bug.name}: raft/raft.ts holds ${n} copies of ${JSON.stringify(e.from.trim())}, not 1: update the plant`);
    out = out.replace(e.from, () => e.to);
  }
  return out;
}

/** How many of the runs passed, and how many ran. */
export interface Tally {
  passed: number;
  runs: number;
}

/**
 * In one scratch copy of the repository holding bug, run each RUN regex's tests of bug's
 * part under seeds seed..seed+count-1 (the many-seeds runner, what `make test-XX COUNT=n`
 * runs). One tally per regex, in order.
 * @throws Error if the runner's closing line is missing (it did not run).
 */
export async function runPlanted(bug: PlantedBug, runs: readonly string[], seed: number, count: number): Promise<Tally[]> {
  const dir = mkdtempSync(path.join(tmpdir(), `planted-${bug.name}-`));
  try {
    copyRepo(dir);
    const raft = path.join(dir, "raft/raft.ts");
    writeFileSync(raft, plant(bug, readFileSync(raft, "utf8")));
    const tallies: Tally[] = [];
    for (const run of runs) {
      // COUNT=1 would take the single-run path; two or more take the many-seeds runner.
      const r = await execa("node_modules/.bin/tsx", ["labs-test/tools/run.ts", bug.part], {
        cwd: dir,
        env: { SEED: String(seed), COUNT: String(Math.max(count, 2)), RUN: run, FORCE_COLOR: "0" },
        reject: false,
        all: true,
      });
      const m = /^(\d+) passed, (\d+) failed/m.exec(r.stdout);
      if (m === null) throw new Error(`planted bug ${bug.name}: the runner printed no closing line:\n${r.all ?? ""}`);
      tallies.push({ passed: Number(m[1]), runs: Number(m[1]) + Number(m[2]) });
    }
    return tallies;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A regex selecting exactly these test names. */
export function only(tests: readonly string[]): string {
  return `^(${tests.join("|")})$`;
}

async function main(): Promise<void> {
  const program = new Command()
    .name("planted-bugs")
    .description("plant each bug in a scratch copy and run the test written to catch it (and, with --course, the course's tests of its part)")
    .argument("[bugs...]", `bugs to plant (default all): ${PLANTED_BUGS.map((b) => b.name).join(", ")}`)
    .option("--count <n>", "seeds per test", "20")
    .option("--seed <n>", "first seed", "1000")
    .option("--course", "also run the course's graded tests of each bug's part")
    .parse();
  const o = program.opts<{ count: string; seed: string; course?: boolean }>();
  const count = Number(o.count);
  const seed = Number(o.seed);
  if (!Number.isSafeInteger(count) || count < 1) throw new Error(`--count must be a positive integer, not ${o.count}`);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`--seed must be a non-negative integer, not ${o.seed}`);
  const names = program.args;
  const unknown = names.filter((n) => !PLANTED_BUGS.some((b) => b.name === n));
  if (unknown.length > 0) throw new Error(`unknown bug ${unknown.join(", ")}; bugs: ${PLANTED_BUGS.map((b) => b.name).join(", ")}`);
  const n = Math.max(count, 2);
  process.stdout.write(`bug | test | caught (runs failed) | course's ${o.course ? "graded tests of the part: runs failed" : "tests: not run (--course)"}\n`);
  for (const bug of PLANTED_BUGS.filter((b) => names.length === 0 || names.includes(b.name))) {
    const [own, c] = await runPlanted(bug, [only([bug.test]), ...(o.course ? [only(findPart(bug.part)!.tests)] : [])], seed, n);
    const course = c === undefined ? "-" : `${c.runs - c.passed} of ${c.runs}`;
    process.stdout.write(`${bug.name} | ${bug.test} | ${own!.runs - own!.passed} of ${own!.runs} (seeds ${seed}..${seed + n - 1}) | ${course}\n`);
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    process.exit(2);
  });
}
