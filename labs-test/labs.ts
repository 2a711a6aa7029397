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
//   (its student files still hold SOLUTION markers), and never ship in a handout.

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
}

const raftFiles = ["raft/raft.ts"];
const kvFiles = ["kvraft/client.ts", "kvraft/server.ts", "kvraft/common.ts"];

export const PARTS: LabPart[] = [
  {
    id: "labrpc",
    title: "labrpc and the codec",
    studentFiles: [],
    testFiles: ["labrpc/labrpc.test.ts", "labrpc/codec.test.ts"],
    tests: [
      "TestBasic", "TestTypes", "TestDisconnect", "TestCounts", "TestBytes", "TestConcurrentMany",
      "TestUnreliable", "TestConcurrentOne", "TestRegression1", "TestKilled", "TestBenchmark",
      "TestGOB", "TestCapital", "TestDefault",
    ],
    extraTests: ["TestDuplicates"],
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
    extraTests: ["TestPreVote2A", "TestElectionAfterStaleCandidate2A"],
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
    extraTests: ["TestDuplicateAppend2B"],
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
    extraTests: ["TestDeterminism2C", "TestFigure8Directed2C"],
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
    extraTests: ["TestOldSnapshot2D"],
    points: 25,
  },
  {
    id: "3A",
    title: "Lab 3A: key/value service without snapshots",
    studentFiles: [...raftFiles, ...kvFiles],
    testFiles: ["kvraft/kvraft.test.ts", "kvraft/kvraft-extra.test.ts"],
    tests: [
      "TestBasic3A", "TestSpeed3A", "TestConcurrent3A", "TestUnreliable3A", "TestUnreliableOneKey3A",
      "TestOnePartition3A", "TestManyPartitionsOneClient3A", "TestManyPartitionsManyClients3A",
      "TestPersistOneClient3A", "TestPersistConcurrent3A", "TestPersistConcurrentUnreliable3A",
      "TestPersistPartition3A", "TestPersistPartitionUnreliable3A",
      "TestPersistPartitionUnreliableLinearizable3A",
    ],
    extraTests: ["TestStaleRead3A", "TestWaiterOtherLeaderOp3A"],
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
];

export function findPart(id: string): LabPart | undefined {
  return PARTS.find((p) => p.id.toLowerCase() === id.toLowerCase());
}

/** The part a graded test belongs to (for the replay command printed on failure). */
export function partOfTest(name: string): LabPart | undefined {
  return PARTS.find((p) => p.tests.includes(name) || (p.extraTests ?? []).includes(name));
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
  const cents = Math.round(p.points * 100);
  const n = p.tests.length;
  const base = Math.floor(cents / n);
  return new Map(p.tests.map((t, i) => [t, (base + (i < cents % n ? 1 : 0)) / 100]));
}
