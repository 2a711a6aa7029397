// The student README of a handout, generated from the manifest: which files are the
// student's, how to run and replay tests, the rules, and how to read a failure.
import { FRAMEWORK_FILES_BESIDE_STUDENT_FILES, type LabPart } from "../labs.js";
import { rulesForReadme } from "../sandbox/policy.js";

function table(rows: string[][]): string {
  const [head, ...body] = rows;
  return [`| ${head!.join(" | ")} |`, `| ${head!.map(() => "---").join(" | ")} |`, ...body.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

/**
 * README.md of the student tree (Markdown); the same parts and files give the same text.
 * filesOf: a part's student files as the handout ships them (paths relative to the repo).
 */
export function studentReadme(parts: readonly LabPart[], filesOf: (p: LabPart) => string[]): string {
  const graded = parts.filter((p) => p.studentFiles.length > 0);
  const rows = [["part", "what", "your files", "graded tests", "points"]];
  for (const p of graded) {
    rows.push([
      `\`make test-${p.id}\``,
      p.title,
      filesOf(p).map((f) => `\`${f}\``).join(", "),
      String(p.tests.length),
      String(p.points),
    ]);
  }
  const folders = [...new Set(graded.flatMap((p) => p.studentFiles.map((f) => f.slice(0, f.lastIndexOf("/")))))].sort();
  const framework = FRAMEWORK_FILES_BESIDE_STUDENT_FILES.filter((f) => folders.includes(f.slice(0, f.lastIndexOf("/"))));
  const extra = parts.filter((p) => (p.extraTests ?? []).length > 0);
  return `# labs-ts: the MIT 6.824 (Spring 2022) labs in TypeScript

MapReduce, Raft, a fault-tolerant key/value service and a sharded one, with the course's
graded tests one for one. Tests run on a **virtual clock with a seeded random generator**: a whole suite
takes seconds, and every failure prints the seed that replays it exactly. You need
Node.js 20 or newer and make; the first \`make\` installs the pinned dependencies.

## Your files

Each part's code goes in its files; everything else is the framework (the network, the
codec, the persister, the test harnesses and tests) and is replaced by ours when grading.
The places to fill in say \`Your code here\`.

${table(rows)}

You may add helper files of your own beside your files (for example \`raft/election.ts\`
next to \`raft/raft.ts\`): any \`.ts\` file directly in ${folders.map((f) => `\`${f}/\``).join(", ")} is yours,
and the grader takes it along, except test files (\`*.test.ts\`) and these framework files:
${framework.map((f) => `\`${f}\``).join(", ")}.

Only the course's API is fixed: the functions and methods the skeletons declare outside
\`Your code here\`. Field names, the persisted format and the names of your RPC handlers
are yours: every method of your \`Raft\` and \`KVServer\` classes is reachable over labrpc
(\`"Raft.RequestVote"\` reaches \`requestVote\`), except the ones the tester calls itself.

## Running the tests

\`\`\`sh
make test-2A        # one part: ${graded.map((p) => `test-${p.id}`).join(" ")}, and test-labrpc
make test           # everything
make typecheck      # the TypeScript compiler's checks only
\`\`\`

| option | meaning |
| --- | --- |
| \`SEED=n\` | use seed n: the same seed replays the same run, event for event |
| \`RUN=regex\` | only the tests whose names match, like \`go test -run\` (e.g. \`RUN=TestBackup2B\`) |
| \`COUNT=n\` | n runs with n seeds, \`PARALLEL=k\` at a time; then a table per test and every failing seed |
| \`DEBUG=topics\` | readable per-peer logs on stderr from your \`debug(topic, me, () => msg)\` calls; \`DEBUG=all\` for every topic |
| \`TRACE=file.jsonl\` | every event (network, your \`trace(me, event, fields)\` calls) as a JSON line with its virtual time |
| \`REALTIME=1\` | the wall clock instead of virtual time, as the course runs |
| \`VIS=fail\` | (the default) a timeline page of every failing test, its path printed beside the replay command; \`VIS=always\` for every test, \`VIS=off\` for none |

A part passes when its graded tests pass under many seeds: try \`COUNT=20\` before you
move on.${extra.length === 0 ? "" : ` Some parts also run tests of ours that any correct solution passes, without points: ${extra.map((p) => `${p.id}: ${(p.extraTests ?? []).join(", ")}`).join("; ")}.`}

## Rules

- **Time and randomness come only from \`runtime/\`**: \`now()\`, \`sleep(ms)\`,
  \`after(ms, fn)\`, \`randInt(n)\`, \`random()\`, \`nrand()\`. Node's own timers, its clock and
  Math's random generator would escape the virtual clock and the seed; a static test
  (\`labs-test/tools/static-check.test.ts\`) fails on them anywhere, comments included.
- **The network only through labrpc**: \`await peers[i].call("Raft.Method", args)\` resolves to
  \`{ ok: true, reply }\` or \`{ ok: false }\`; it may take a while (up to 7 s to a
  disconnected peer) but never needs a timeout of yours. Args and replies are plain data
  (numbers, strings, booleans, arrays, plain objects, Uint8Array), copied on every call.
- **Persist with the codec**: \`persister.saveRaftState(encode(state))\`, \`decode(bytes)\`.
- Do not change framework files: the grader uses its own copies.

### The sandbox

Your code runs inside a boundary, under \`make test-XX\` as in grading (an SES compartment
with frozen built-ins; \`labs-test/sandbox/\`). Before any test a static check names, with
file:line, anything it would refuse:

${rulesForReadme().map((r) => `- ${r}`).join("\n")}

Lab 1's coordinator and workers are real processes: \`make test-mr\` (and the grader) runs
them under Node's permission model. They read their inputs (\`../pg-*.txt\`) and their
working folder, and write only in their working folder (\`mr-tmp\`; make temporary files
there too, as \`mr/framework/atomic-write.ts\` does); they cannot start processes or
threads.

## Reading a failure

\`\`\`
--- FAIL: TestReElection2A (seed 1839201)
    expected one leader, got none
    replay: make test-2A SEED=1839201 RUN=TestReElection2A
\`\`\`

The first line names the test and its seed, then comes the course's message, then the
command that replays exactly this run. Replay it with \`DEBUG=all\` (or a few topics) to
read what each peer did, or with \`TRACE=run.jsonl\` to get every event in order with its
virtual time. The \`timeline:\` line of a failure names an HTML page that draws the run:
one lane per peer with its role and term, every RPC as an arrow (dropped ones marked),
partitions and crashes as bands, every ApplyMsg, and the failure at its time. It is drawn
from what the tester and the network see, so it works whatever your code traces; add your
own notes to it with \`annotate(text)\` or \`annotatePeer(me, text)\` from \`runtime/\`.
\`make vis TRACE=run.jsonl OUT=page.html\` draws any trace.

A test that takes longer than the course's limit (120 s of virtual time) fails with "test
took longer than 120 seconds". Code that spins and never lets virtual time move (a loop
that awaits \`sleep(0)\`, or retries at once forever) fails at once with "simulation
stalled" and its seed, instead of hanging.
`;
}
