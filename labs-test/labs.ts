// The one list of lab parts: which files are the student's, which graded tests belong to
// each part, and their points. The Makefile's runner, the grader and the handout
// generator read this; nothing else lists these files.
//
// Three kinds of tests:
// - graded (`tests`): the course's tests, through the course's public API only; points.
// - extra (`extraTests`): ours, also through the public API only, so every correct
//   solution passes them; they run with their part and ship in the handout, no points.
// - reference (`referenceTests`): tests of our reference solution's internals (its
//   persisted format, handler names, PreVote, its error types). They live in a
//   `reference/` folder beside the lab, run only where the reference solution is present
//   (its student files still hold solution markers), and never ship in a handout.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { hasMarkers } from "./solution-markers.js";

export interface LabPart {
  id: string;
  title: string;
  /** Files the student edits (and the grader copies from a submission). */
  studentFiles: string[];
  /** Files holding the graded tests (vitest), or the graded script for mr. */
  testFiles: string[];
  /** Graded test names, in the course's order. */
  tests: string[];
  /** Our own graded behaviour tests (public API only): run with the part, shipped, no points. */
  extraTests?: string[];
  /** Tests of our reference solution's internals: run only where it is present, never shipped. */
  referenceTests?: { files: string[] };
  points: number;
  /** Wall-clock (not simulated) part: it runs real processes. */
  realProcesses?: boolean;
  /**
   * Virtual ms one run of a test may take under the many-seeds runner and the grader.
   * Unset: the course's 120 s per test (plus the harness watchdog's margin). labrpc's
   * tests have no course limit: TestBenchmark's 100,000 sequential RPCs alone take about
   * 130 virtual s once every message costs link and wire time.
   */
  virtualLimitMs?: number;
}

const raftFiles = ["raft/raft.ts"];
const kvFiles = ["kvraft/client.ts", "kvraft/server.ts", "kvraft/common.ts"];
const ctrlerFiles = ["shardctrler/client.ts", "shardctrler/server.ts", "shardctrler/common.ts"];
const shardkvFiles = ["shardkv/client.ts", "shardkv/server.ts", "shardkv/common.ts"];

export const PARTS: LabPart[] = [
  {
    id: "labrpc",
    title: "labrpc and the codec",
    virtualLimitMs: 30 * 60 * 1000,
    studentFiles: [],
    testFiles: ["labrpc/labrpc.test.ts", "labrpc/codec.test.ts"],
    tests: [
      "TestBasic", "TestTypes", "TestDisconnect", "TestCounts", "TestBytes", "TestConcurrentMany",
      "TestUnreliable", "TestConcurrentOne", "TestRegression1", "TestKilled", "TestBenchmark",
      "TestGOB", "TestCapital", "TestDefault",
    ],
    extraTests: ["TestDuplicates", "TestHeldReplies", "TestHeldRequests"],
    points: 0,
  },
  {
    id: "mr",
    title: "Lab 1: MapReduce",
    studentFiles: ["mr/coordinator.ts", "mr/worker.ts", "mr/rpc.ts"],
    testFiles: ["mr/main/test-mr.ts"],
    tests: ["wc", "indexer", "map parallelism", "reduce parallelism", "job count", "early exit", "crash"],
    extraTests: ["late worker"],
    points: 70,
    realProcesses: true,
  },
  {
    id: "2A",
    title: "Lab 2A: Raft leader election",
    studentFiles: raftFiles,
    testFiles: ["raft/raft.test.ts", "raft/raft-extra.test.ts"],
    tests: ["TestInitialElection2A", "TestReElection2A", "TestManyElections2A"],
    extraTests: [
      "TestElectionAfterStaleCandidate2A", "TestStaleVoteReply2A", "TestCandidateVotesForItself2A", "TestMinorityElectsNobody2A",
      "TestHigherTermInReply2A",
    ],
    referenceTests: { files: ["raft/reference/raft-unit.test.ts", "raft/reference/prevote.test.ts"] },
    points: 15,
  },
  {
    id: "2B",
    title: "Lab 2B: Raft log",
    studentFiles: raftFiles,
    testFiles: ["raft/raft.test.ts", "raft/raft-extra.test.ts"],
    tests: [
      "TestBasicAgree2B", "TestRPCBytes2B", "TestFailAgree2B", "TestFailNoAgree2B",
      "TestConcurrentStarts2B", "TestRejoin2B", "TestBackup2B", "TestCount2B",
    ],
    extraTests: ["TestDuplicateAppend2B", "TestCommitBoundedByMatch2B", "TestStaleTermReply2B", "TestNewLeaderResetsProgress2B"],
    points: 30,
  },
  {
    id: "2C",
    title: "Lab 2C: Raft persistence",
    studentFiles: raftFiles,
    testFiles: ["raft/raft.test.ts", "raft/raft-extra.test.ts"],
    tests: [
      "TestPersist12C", "TestPersist22C", "TestPersist32C", "TestFigure82C", "TestUnreliableAgree2C",
      "TestFigure8Unreliable2C", "TestReliableChurn2C", "TestUnreliableChurn2C",
    ],
    extraTests: ["TestDeterminism2C", "TestFigure8Directed2C", "TestVoteSurvivesCrash2C"],
    // Timeline pages of failing 2C-style runs: they need our Raft (or the silent one) to act.
    referenceTests: { files: ["raft/reference/timeline.test.ts", "raft/reference/timeline-browser.test.ts"] },
    points: 30,
  },
  {
    id: "2D",
    title: "Lab 2D: Raft log compaction",
    studentFiles: raftFiles,
    testFiles: ["raft/raft.test.ts", "raft/raft-extra.test.ts"],
    tests: [
      "TestSnapshotBasic2D", "TestSnapshotInstall2D", "TestSnapshotInstallUnreliable2D",
      "TestSnapshotInstallCrash2D", "TestSnapshotInstallUnCrash2D", "TestSnapshotAllCrash2D",
    ],
    extraTests: ["TestOldSnapshot2D", "TestPartialSnapshot2D"],
    // The graded 2A-2D tests on an independently written Raft, the planted bugs (caught by
    // their tests and found by the hunt) and the safety monitors end to end: with the last Raft part.
    referenceTests: {
      files: [
        "raft/reference/student-raft.test.ts",
        "raft/reference/planted-bugs.test.ts",
        "raft/reference/planted-hunt.test.ts",
        "raft/reference/safety-monitor.test.ts",
      ],
    },
    points: 25,
  },
  {
    id: "3A",
    title: "Lab 3A: key/value service without snapshots",
    studentFiles: [...raftFiles, ...kvFiles],
    testFiles: ["kvraft/kvraft.test.ts", "kvraft/kvraft-extra.test.ts", "kvraft/bad-input.test.ts"],
    tests: [
      "TestBasic3A", "TestSpeed3A", "TestConcurrent3A", "TestUnreliable3A", "TestUnreliableOneKey3A",
      "TestOnePartition3A", "TestManyPartitionsOneClient3A", "TestManyPartitionsManyClients3A",
      "TestPersistOneClient3A", "TestPersistConcurrent3A", "TestPersistConcurrentUnreliable3A",
      "TestPersistPartition3A", "TestPersistPartitionUnreliable3A",
      "TestPersistPartitionUnreliableLinearizable3A",
    ],
    extraTests: [
      "TestStaleRead3A", "TestWaiterOtherLeaderOp3A", "TestDisplacedHandlerAnswers3A", "TestBadClerkArgs3A",
      "TestClerkAfterBadArgs3A", "TestMalformedRpcArgs3A", "TestMalformedRpcArgsCluster3A", "TestLeaderDiesUnderWrite3A",
    ],
    referenceTests: {
      files: ["kvraft/reference/bad-input.test.ts", "kvraft/reference/timeline-browser.test.ts", "kvraft/reference/safety-monitor.test.ts"],
    },
    points: 50,
  },
  {
    id: "3B",
    title: "Lab 3B: key/value service with snapshots",
    studentFiles: [...raftFiles, ...kvFiles],
    testFiles: ["kvraft/kvraft.test.ts"],
    tests: [
      "TestSnapshotRPC3B", "TestSnapshotSize3B", "TestSpeed3B", "TestSnapshotRecover3B",
      "TestSnapshotRecoverManyClients3B", "TestSnapshotUnreliable3B", "TestSnapshotUnreliableRecover3B",
      "TestSnapshotUnreliableRecoverConcurrentPartition3B",
      "TestSnapshotUnreliableRecoverConcurrentPartitionLinearizable3B",
    ],
    points: 50,
  },
  {
    id: "4A",
    title: "Lab 4A: the shard controller",
    studentFiles: [...raftFiles, ...ctrlerFiles],
    testFiles: ["shardctrler/shardctrler.test.ts"],
    tests: ["TestBasic", "TestMulti"],
    extraTests: ["TestMinimalMoves4A", "TestQueryReflectsChanges4A", "TestBadInput4A"],
    referenceTests: { files: ["shardctrler/reference/bad-input.test.ts"] },
    points: 40,
  },
  {
    id: "4B",
    title: "Lab 4B: the sharded key/value service",
    studentFiles: [...raftFiles, ...ctrlerFiles, ...shardkvFiles],
    testFiles: ["shardkv/shardkv.test.ts", "shardkv/extra.test.ts"],
    tests: [
      "TestStaticShards", "TestJoinLeave", "TestSnapshot", "TestMissChange", "TestConcurrent1",
      "TestConcurrent2", "TestConcurrent3", "TestUnreliable1", "TestUnreliable2", "TestUnreliable3",
    ],
    extraTests: [
      "TestAppendExactlyOnce4B", "TestWholeGroupRestart4B", "TestNoSkippedConfigs4B", "TestLinearizable4B",
      "TestBadInput4B",
    ],
    referenceTests: {
      files: ["shardkv/reference/bad-input.test.ts", "shardkv/reference/timeline-browser.test.ts", "shardkv/reference/safety-monitor.test.ts"],
    },
    points: 60,
  },
  {
    // The course gives the challenges no credit; here they carry points of their own, so a
    // grade can show them, on top of 4A and 4B.
    id: "challenge",
    title: "Lab 4 challenges: shard deletion and serving during configuration changes",
    studentFiles: [...raftFiles, ...ctrlerFiles, ...shardkvFiles],
    testFiles: ["shardkv/challenge.test.ts"],
    tests: ["TestChallenge1Delete", "TestChallenge2Unaffected", "TestChallenge2Partial"],
    extraTests: ["TestChallenge1DeleteAfterRestart"],
    referenceTests: { files: ["shardkv/reference/student-raft-snapshot.test.ts"] },
    points: 20,
  },
];

/**
 * The framework's folders shared by every lab (the runtime, the network and codec, the
 * checker, the MapReduce apps, the harness library and tools): what tsconfig.json
 * type-checks and a handout ships, beside every lab's folder (labFolders).
 */
export const FRAMEWORK_FOLDERS: readonly string[] = ["runtime", "labrpc", "porcupine", "apps", "labs-test"];

/**
 * A lab's folder (raft, kvraft …): the folder of a part's student files, or of its graded
 * tests where it has no student files (labrpc). In order of the parts, no repeats.
 */
export function labFolders(parts: readonly LabPart[] = PARTS): string[] {
  const top = (f: string): string => f.split("/")[0]!;
  return [...new Set(parts.flatMap((p) => (p.studentFiles.length > 0 ? p.studentFiles : p.testFiles).map(top)))];
}

/**
 * One layout for every lab. The top of a lab's folder holds the student files (and any
 * helper file a student adds beside them), the graded and extra test files, and the
 * course's own framework files that sit beside the student's in the course: the harness
 * (config.go, here config.ts) in every simulated lab's folder, and Raft's persister (mr's
 * harness is its graded script, mr/main/test-mr.ts, as the course's src/main). Everything else
 * of the framework lives in a subfolder: `<lab>/framework/` (mr also has the course's
 * `main/` and its `transport/`), our reference tests in `<lab>/reference/`.
 * labs-test/layout.test.ts holds every lab to this.
 */
export const COURSE_FILES_BESIDE_STUDENT_FILES: readonly string[] = ["config.ts"];

/**
 * Framework files that live beside student files (see COURSE_FILES_BESIDE_STUDENT_FILES).
 * Any other `.ts` file directly in a student file's folder is the student's own helper
 * (e.g. raft/election.ts beside raft/raft.ts): the grader copies it from a submission and
 * the handout generator treats it as a student file. Never the student's: `*.test.ts`,
 * `*.d.ts`, anything in a subfolder (framework/, reference/, mr/transport/ …), and these.
 */
export const FRAMEWORK_FILES_BESIDE_STUDENT_FILES: readonly string[] = [
  ...labFolders(PARTS.filter((p) => p.studentFiles.length > 0 && p.realProcesses !== true)).flatMap((d) =>
    COURSE_FILES_BESIDE_STUDENT_FILES.map((f) => `${d}/${f}`),
  ),
  "raft/persister.ts",
].sort();

/**
 * Framework files that handouts carried beside the student files before they moved into
 * `<lab>/framework/`. A submission made from such a handout still holds them: they are
 * ours, not the student's helpers (no student file imported them), so they are left out
 * of its student files rather than graded, statically checked and refused as its code.
 */
export const FORMER_FRAMEWORK_FILES: readonly string[] = [
  "kvraft/bench.ts",
  "kvraft/clerk-guard.ts",
  "kvraft/rpc-schemas.ts",
  "kvraft/test-cluster.ts",
  "raft/bench.ts",
];

/**
 * A part's student files under rootDir (paths relative to it, sorted): the listed ones
 * plus every student helper file beside them (see FRAMEWORK_FILES_BESIDE_STUDENT_FILES;
 * FORMER_FRAMEWORK_FILES are not the student's either).
 * Listed files are returned even if missing, so a caller can report them.
 */
export function studentFilesIn(part: LabPart, rootDir: string): string[] {
  const out = new Set(part.studentFiles);
  const framework = new Set([...FRAMEWORK_FILES_BESIDE_STUDENT_FILES, ...FORMER_FRAMEWORK_FILES]);
  for (const dir of new Set(part.studentFiles.map((f) => path.posix.dirname(f)))) {
    const abs = path.join(rootDir, dir);
    if (!existsSync(abs)) continue;
    for (const e of readdirSync(abs, { withFileTypes: true })) {
      const rel = path.posix.join(dir, e.name);
      if (!e.isFile() || !e.name.endsWith(".ts") || e.name.endsWith(".test.ts") || e.name.endsWith(".d.ts")) continue;
      if (!framework.has(rel)) out.add(rel);
    }
  }
  return [...out].sort();
}

/**
 * Whether our reference solution of this part is in rootDir: some student file still holds
 * solution markers (labs-test/solution-markers.ts) and every reference test file exists. Reference tests run only then.
 */
export function referencePresent(part: LabPart, rootDir: string): boolean {
  const files = part.referenceTests?.files ?? [];
  if (files.length === 0 || !files.every((f) => existsSync(path.join(rootDir, f)))) return false;
  return studentFilesIn(part, rootDir).some((f) => {
    const abs = path.join(rootDir, f);
    return existsSync(abs) && hasMarkers(readFileSync(abs, "utf8"));
  });
}

/** Reference test files of these parts that run in rootDir (deduplicated, in part order). */
export function referenceTestsToRun(parts: readonly LabPart[], rootDir: string): string[] {
  return [...new Set(parts.filter((p) => referencePresent(p, rootDir)).flatMap((p) => p.referenceTests!.files))];
}

/** Every reference test file the manifest names, present or not. */
export function allReferenceTests(): string[] {
  return [...new Set(PARTS.flatMap((p) => p.referenceTests?.files ?? []))];
}

export function findPart(id: string): LabPart | undefined {
  return PARTS.find((p) => p.id.toLowerCase() === id.toLowerCase());
}

/**
 * The part a graded test belongs to (for the replay command printed on failure). Names
 * are unique within a lab but not across labs (labrpc and 4A both have TestBasic): the
 * test file, relative to the repository root, tells them apart.
 */
export function partOfTest(name: string, testFile?: string): LabPart | undefined {
  const named = PARTS.filter((p) => p.tests.includes(name) || (p.extraTests ?? []).includes(name));
  return named.find((p) => testFile !== undefined && p.testFiles.includes(testFile)) ?? named[0];
}

/**
 * The part among these (ids, e.g. a grade's parts) that has this test: within one run's
 * parts a name is unique, while across all parts labrpc and 4A share TestBasic.
 */
export function partOfTestIn(name: string, partIds: readonly string[]): LabPart | undefined {
  return PARTS.find((p) => partIds.includes(p.id) && (p.tests.includes(name) || (p.extraTests ?? []).includes(name)));
}

/** Everything make test-XX runs for a part: graded tests, then ours. */
export function testsToRun(p: LabPart): string[] {
  return [...p.tests, ...(p.extraTests ?? [])];
}

/**
 * Points per graded test: the part's points split evenly, in whole cents, the first
 * tests taking the odd cents, so that a part's tests add up to exactly its points.
 */
export function testPoints(p: LabPart): Map<string, number> {
  return splitPoints(p.points, p.tests);
}

/** points split evenly over names in whole cents, the first names taking the odd cents. */
export function splitPoints(points: number, names: readonly string[]): Map<string, number> {
  const cents = Math.round(points * 100);
  const n = names.length;
  const base = Math.floor(cents / n);
  return new Map(names.map((t, i) => [t, (base + (i < cents % n ? 1 : 0)) / 100]));
}

/**
 * A grading profile: what a grade runs and what carries points (`make grade PROFILE=…`;
 * labs-test/tools/grade/profile.ts reads these, docs/GRADING.md explains them).
 */
export interface GradingProfile {
  id: string;
  /** One line for the student README and the error naming the profiles. */
  summary: string;
  /** The extra tests run and share the part's points with its graded tests. */
  extrasCarryPoints: boolean;
  /**
   * Schedule-search runs per part (`make hunt-XX`, labs-test/hunt/), by part id: a part
   * named here gets one more graded line, its hunt, run as that many seeds inside the
   * grader's boundary; a failing run costs the whole part's points. Runs, not seconds, so
   * that a grade is a function of its seeds.
   */
  huntRuns: Readonly<Record<string, number>>;
}

export const GRADING_PROFILES: readonly GradingProfile[] = [
  { id: "course", summary: "the course's graded tests and points", extrasCarryPoints: false, huntRuns: {} },
  {
    id: "strict",
    summary: "the course's graded tests and our extra tests share each part's points, and a failing run of the part's schedule search (hunt) costs the whole part",
    extrasCarryPoints: true,
    // About as much CPU as the part's graded tests at COUNT=1 (a 2A-2D hunt run is a few
    // tenths of a CPU second, a kvraft or shardkv one a few).
    huntRuns: { "2A": 60, "2B": 60, "2C": 60, "2D": 60, "3A": 30, "3B": 30, "4A": 30, "4B": 10 },
  },
];

/** The profile with this id, or undefined. */
export function findProfile(id: string): GradingProfile | undefined {
  return GRADING_PROFILES.find((g) => g.id === id);
}

/** The tests a grade under profile runs of part (and scores, with its hunt if any): graded, then extras where they carry points. */
export function profileTests(p: LabPart, profile: GradingProfile): string[] {
  // Lab 1's extras run inside its one test script, which the grader runs for the graded ones only.
  return profile.extrasCarryPoints && p.realProcesses !== true ? testsToRun(p) : [...p.tests];
}
