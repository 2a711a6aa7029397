// The planted bugs (planted-bugs.ts plants them): each a bug students really write, as edits
// to one solution, with the extra test that must catch it. Every Raft bug is planted in
// both our reference (raft/raft.ts and its helper files) and the student-style Raft
// (student-raft/raft.ts, installed as raft/raft.ts): the same mistake, in each one's own
// code. The kvraft bug is planted in our kvraft/server.ts.
import type { PlantedBug } from "./planted-bugs.js";

type Bug = Omit<PlantedBug, "solution" | "edits">;
type Edits = PlantedBug["edits"];

/** One bug, planted in both Rafts. */
function both(bug: Bug, reference: Edits, student: Edits): PlantedBug[] {
  return [
    { ...bug, solution: "reference", edits: reference },
    { ...bug, solution: "student", edits: student },
  ];
}

export const PLANTED_BUGS: PlantedBug[] = [
  ...both(
    {
      name: "figure8-count-old-term",
      bug: "a leader commits an entry of an earlier term by counting its replicas",
      part: "2C",
      test: "TestFigure8Directed2C",
    },
    [{ from: "if (n > this.commitIndex && this.log.termAt(n) === this.currentTerm) {", to: "if (n > this.commitIndex) {" }],
    [{ from: "      if (this.termAt(n) !== this.currentTerm) break;\n", to: "" }],
  ),
  ...both(
    {
      name: "timer-reset-every-vote",
      bug: "a follower resets its election timer on every (pre-)vote request, granted or not",
      part: "2A",
      test: "TestElectionAfterStaleCandidate2A",
    },
    [{ from: "    this.catchUpIfSilent(args.candidateId);", to: '    if (this.role !== "leader") this.resetElectionTimer();\n    this.catchUpIfSilent(args.candidateId);' }],
    [
      {
        from: "    if (this.dead) return { term: this.currentTerm, granted: false };\n",
        to: '    if (this.dead) return { term: this.currentTerm, granted: false };\n    if (this.role !== "leader") this.resetElectionTimer();\n',
      },
    ],
  ),
  ...both(
    {
      name: "truncate-on-old-append",
      bug: "a follower truncates its log at every AppendEntries, even an old duplicate whose entries it holds",
      part: "2B",
      test: "TestDuplicateAppend2B",
    },
    [{ from: "      if (index <= log.lastIndex() && log.termAt(index) === entries[i]![0]) continue;\n", to: "" }],
    [
      {
        from:
          "    for (let i = 0; i < entries.length; i++) {\n" +
          "      const index = prevIndex + 1 + i;\n" +
          "      if (index > this.lastIndex() || this.termAt(index) !== entries[i]!.term) {\n" +
          "        this.log = this.log.slice(0, index - this.snapIndex).concat(entries.slice(i));\n" +
          "        this.persist();\n" +
          "        break;\n" +
          "      }\n" +
          "    }\n",
        to: "    this.log = this.log.slice(0, prevIndex + 1 - this.snapIndex).concat(entries);\n    this.persist();\n",
      },
    ],
  ),
  ...both(
    {
      name: "commit-to-own-last-index",
      bug: "a follower commits up to min(leaderCommit, its own last index), past what the message matched",
      part: "2B",
      test: "TestCommitBoundedByMatch2B",
    },
    [
      {
        from: "if (Math.min(args.leaderCommit, lastNew) > this.commitIndex) this.setCommitIndex(Math.min(args.leaderCommit, lastNew));",
        to: "if (Math.min(args.leaderCommit, log.lastIndex()) > this.commitIndex) this.setCommitIndex(Math.min(args.leaderCommit, log.lastIndex()));",
      },
    ],
    // The student-style Raft's AppendEntries always carry the leader's log to its end, so the
    // same min() is harmless there; its version of the bug commits before matching at all.
    [
      {
        from: "    reply.term = this.currentTerm;\n\n    let prevIndex = args.prevIndex;",
        to:
          "    reply.term = this.currentTerm;\n" +
          "    if (Math.min(args.leaderCommit, this.lastIndex()) > this.commitIndex) {\n" +
          "      this.commitIndex = Math.min(args.leaderCommit, this.lastIndex());\n" +
          "      this.signalApplier();\n" +
          "    }\n\n    let prevIndex = args.prevIndex;",
      },
    ],
  ),
  ...both(
    {
      name: "old-term-reply-counted",
      bug: "a leader takes an AppendEntries reply to a request of an earlier term as proof of a match",
      part: "2B",
      test: "TestStaleTermReply2B",
    },
    [
      { from: 'return this.role === "leader" && this.currentTerm === term && this.progress[p.peer] === p;', to: 'return this.role === "leader";' },
      { from: "      p.matched(args.prevLogIndex + args.entries.length);", to: "      (this.progress[p.peer] ?? p).matched(args.prevLogIndex + args.entries.length);" },
    ],
    [
      {
        from: "    // A reply from an earlier term, or to an earlier leadership of ours, means nothing now.\n    if (this.role !== \"leader\" || this.currentTerm !== args.term) return;",
        to: '    if (this.role !== "leader") return;',
      },
    ],
  ),
  ...both(
    {
      name: "old-snapshot-reapplied",
      bug: "a follower installs an old InstallSnapshot below its commit point and hands it to the service again",
      part: "2D",
      test: "TestOldSnapshot2D",
    },
    [
      {
        from: "      if (index > this.commitIndex) {\n",
        to:
          "      if (index !== this.log.base && index <= this.commitIndex) {\n" +
          "        this.log.base = index;\n" +
          "        this.log.entries = [[args.lastIncludedTerm, null]];\n" +
          "        this.snapshotHeld = args.data;\n" +
          "        this.commitIndex = index;\n" +
          "        this.lastApplied = index - 1;\n" +
          "        this.wakeApplier();\n" +
          "      } else if (index > this.commitIndex) {\n",
      },
    ],
    [
      { from: "    if (args.lastIncludedIndex <= this.commitIndex) return reply;", to: "    if (args.lastIncludedIndex === this.snapIndex) return reply;" },
      {
        from: "    if (index < this.lastIndex() && this.termAt(index) === args.lastIncludedTerm) {",
        to: "    if (index > this.snapIndex && index < this.lastIndex() && this.termAt(index) === args.lastIncludedTerm) {",
      },
    ],
  ),
  // Kind 1 of issue 18: a vote reply of an earlier election.
  ...both(
    {
      name: "stale-vote-reply",
      bug: "a candidate counts a vote granted in an earlier election of its own",
      part: "2A",
      test: "TestStaleVoteReply2A",
    },
    // The reference counts a late vote while it asks for pre-votes again; here, whatever its term.
    [{ from: 'return !ballot.pre && ballot.args.term === this.currentTerm && this.role === "precandidate";', to: 'return !ballot.pre && this.role === "precandidate";' }],
    [{ from: 'if (this.role !== "candidate" || this.currentTerm !== args.term || !r.reply.granted) return;', to: 'if (this.role !== "candidate" || !r.reply.granted) return;' }],
  ),
  // Kind 2: a candidate that does not vote for itself, or counts one peer's vote twice.
  ...both(
    {
      name: "candidate-no-self-vote",
      bug: "a candidate counts itself but records no vote, so it grants another candidate of its term",
      part: "2A",
      test: "TestCandidateVotesForItself2A",
    },
    [{ from: "    this.currentTerm++;\n    this.votedFor = this.me;", to: "    this.currentTerm++;\n    this.votedFor = -1;" }],
    [{ from: "    this.currentTerm++;\n    this.votedFor = this.me;", to: "    this.currentTerm++;\n    this.votedFor = -1;" }],
  ),
  ...both(
    {
      name: "vote-counted-twice",
      bug: "a candidate asks itself too, and counts its own vote a second time",
      part: "2A",
      test: "TestMinorityElectsNobody2A",
    },
    [
      { from: "const others = this.peers.map((_, i) => i).filter((i) => i !== this.me);", to: "const others = this.peers.map((_, i) => i);" },
      { from: "  granted: Set<number>;", to: "  granted: number[];" },
      { from: "granted: new Set([this.me])", to: "granted: [this.me]" },
      { from: "    ballot.granted.add(peer);\n    if (ballot.granted.size * 2", to: "    ballot.granted.push(peer);\n    if (ballot.granted.length * 2" },
      { from: "else this.becomeLeader(ballot.granted);", to: "else this.becomeLeader(new Set(ballot.granted));" },
    ],
    [{ from: "      if (p !== this.me) void this.askForVote(p, args, tally);", to: "      void this.askForVote(p, args, tally);" }],
  ),
  // Kind 3: a higher term in a reply, ignored.
  ...both(
    {
      name: "candidate-ignores-higher-term",
      bug: "a candidate ignores a higher term in a RequestVote reply and carries on",
      part: "2A",
      test: "TestHigherTermInReply2A",
    },
    [{ from: "      this.becomeFollower(reply.term);\n      this.persistIfDirty();\n    } else if (reply.voteGranted", to: "    } else if (reply.voteGranted" }],
    [
      {
        from: "      this.becomeFollower(r.reply.term);\n      return;\n    }\n    if (this.role !== \"candidate\"",
        to: "      return;\n    }\n    if (this.role !== \"candidate\"",
      },
    ],
  ),
  ...both(
    {
      name: "leader-ignores-higher-term",
      bug: "a leader ignores a higher term in an AppendEntries reply and carries on",
      part: "2A",
      test: "TestHigherTermInReply2A",
    },
    [{ from: "      this.becomeFollower(replyTerm);\n      this.persistIfDirty();\n      return false;", to: "      return false;" }],
    [{ from: "    if (reply.term > this.currentTerm) {\n      this.becomeFollower(reply.term);\n      return;", to: "    if (reply.term > this.currentTerm) {\n      return;" }],
  ),
  // Kind 4: nextIndex and matchIndex left over from an earlier leadership.
  ...both(
    {
      name: "leader-keeps-progress",
      bug: "a new leader keeps nextIndex and matchIndex from its earlier leadership instead of re-initialising them",
      part: "2B",
      test: "TestNewLeaderResetsProgress2B",
    },
    [
      { from: "  private progress: Progress[] = [];", to: "  private progress: Progress[] = [];\n  private lastProgress: Progress[] = [];" },
      { from: "    this.progress = [];\n", to: "    this.lastProgress = this.progress;\n    this.progress = [];\n" },
      {
        from: "    this.progress = this.peers.map((_, i) => new Progress(i, this.log.lastIndex(), now()));",
        to:
          "    this.progress = this.peers.map((_, i) => {\n" +
          "      const p = new Progress(i, this.log.lastIndex(), now());\n" +
          "      const old = this.lastProgress[i];\n" +
          "      if (old !== undefined) [p.next, p.match] = [old.next, old.match];\n" +
          "      return p;\n" +
          "    });",
      },
    ],
    [
      {
        from: "    this.nextIndex = this.peers.map(() => this.lastIndex() + 1);\n    this.matchIndex = this.peers.map(() => 0);\n",
        to: "    if (this.nextIndex.length === 0) {\n      this.nextIndex = this.peers.map(() => this.lastIndex() + 1);\n      this.matchIndex = this.peers.map(() => 0);\n    }\n",
      },
    ],
  ),
  // Kind 5: votedFor lost in a crash.
  ...both(
    {
      name: "vote-not-restored",
      bug: "a restarted peer does not restore votedFor, so it may vote twice in one term",
      part: "2C",
      test: "TestVoteSurvivesCrash2C",
    },
    [{ from: "    this.votedFor = st.vote;\n", to: "" }],
    [{ from: "    this.votedFor = s.votedFor;\n", to: "" }],
  ),
  // Kind 6: a snapshot that covers only part of the log.
  ...both(
    {
      name: "partial-snapshot-drops-suffix",
      bug: "a follower drops the log entries after an InstallSnapshot that covers only part of its log, acknowledged ones too",
      part: "2D",
      test: "TestPartialSnapshot2D",
    },
    [
      {
        from: "        if (index > this.log.lastIndex() || this.log.termAt(index) !== args.lastIncludedTerm) this.truncateFrom(this.commitIndex + 1);",
        to: "        this.truncateFrom(this.commitIndex + 1);",
      },
    ],
    [
      {
        from:
          "    if (index < this.lastIndex() && this.termAt(index) === args.lastIncludedTerm) {\n" +
          "      this.log = [{ term: args.lastIncludedTerm, cmd: null }, ...this.log.slice(index - this.snapIndex + 1)];\n" +
          "    } else {\n" +
          "      this.log = [{ term: args.lastIncludedTerm, cmd: null }];\n" +
          "    }\n",
        to: "    this.log = [{ term: args.lastIncludedTerm, cmd: null }];\n",
      },
    ],
  ),
  // Kind 7: a kvraft handler displaced at its log index.
  {
    name: "displaced-handler-never-answers",
    bug: "a kvraft handler waits for its index with no time-out, and a later handler at the same index replaces it: the first never answers",
    part: "3A",
    solution: "reference",
    test: "TestDisplacedHandlerAnswers3A",
    edits: [
      { file: "kvraft/server.ts", from: "      this.waiters.get(index)?.settle(LOST);\n", to: "" },
      {
        file: "kvraft/server.ts",
        from: "      timer = after(COMMIT_WAIT_MS, () => w.settle(TIMED_OUT));",
        to: "      void [after, COMMIT_WAIT_MS, TIMED_OUT];",
      },
    ],
  },
];
