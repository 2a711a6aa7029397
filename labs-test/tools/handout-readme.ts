// The student README of a handout, generated from the manifest: which files are the
// student's, how to run and replay tests, the rules, and how to read a failure.
import { HUNT_PARTS } from "../hunt/parts.js";
import { FRAMEWORK_FILES_BESIDE_STUDENT_FILES, GRADING_PROFILES, type LabPart } from "../labs.js";
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
graded tests one for one. The tests of Labs 2 to 4 run on a **virtual clock with a seeded
random generator**: a whole suite takes seconds, and every failure prints the seed that
replays it exactly (Lab 1 runs real processes on the wall clock, as the course's). You need
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
are yours. What Raft's callers rely on beyond the signatures (applyCh's semantics, calling
\`snapshot()\` from the reader, the first index after a restart, \`getState()\` sampled by
the safety monitors) is written down in \`raft/API.md\`.

**Which methods are RPC handlers.** Every method of your \`Raft\`, \`KVServer\`,
\`ShardCtrler\` and \`ShardKV\` classes is reachable over labrpc (\`"Raft.RequestVote"\`
reaches \`requestVote\`), TypeScript \`private\` ones included (\`private\` is erased when the
code runs), except the ones the tester calls itself (\`start\`, \`getState\`, \`kill\`,
\`killed\`, \`snapshot\`, \`condInstallSnapshot\`), names starting with \`_\`, and JavaScript
\`#private\` methods. To keep a helper off the network, name it \`_helper\` or \`#helper\`.

## Running the tests

\`\`\`sh
make test-2A        # one part: ${graded.map((p) => `test-${p.id}`).join(" ")}, and test-labrpc
make test           # everything
make watch-2A       # 2A's tests again within about a second of each save of one of its files (Ctrl-C stops)
make typecheck      # the TypeScript compiler's checks only
\`\`\`

| option | meaning |
| --- | --- |
| \`SEED=n\` | use seed n: the same seed replays the same run, event for event |
| \`RUN=regex\` | only the tests whose names match, like \`go test -run\` (e.g. \`RUN=TestBackup2B\`) |
| \`COUNT=n\` | n runs with n seeds, \`PARALLEL=k\` at a time; then a table per test and every failing seed |
| \`DEBUG=topics\` | readable per-peer logs on stderr from your \`debug(topic, me, () => msg)\` calls; \`DEBUG=all\` for every topic |
| \`TRACE=file.jsonl\` | every event (network, your \`trace(me, kind, fields)\` calls: a kind of \`runtime/trace-kinds.ts\`, or your own with \`traceOwn\`) as a JSON line with its virtual time |
| \`REALTIME=1\` | the wall clock instead of virtual time, as the course runs |
| \`VIS=fail\` | (the default) a timeline page of every failing test, its path printed beside the replay command; \`VIS=always\` for every test, \`VIS=off\` for none |

\`make watch-XX\` keeps the tests loaded and evaluates only your files again after a save; the
type check runs beside the tests, and its errors come after them. A file of yours that does
not load, crashes or loops forever fails that round with a message; fix it and save again.

A part passes when its graded tests pass under many seeds: try \`COUNT=20\` before you
move on (a COUNT run shows its progress and an estimate of the time left), and let the schedule search look for what the fixed tests miss: \`make hunt-XX\`
(XX: ${graded.filter((p) => HUNT_PARTS.some((h) => h.id === p.id)).map((p) => p.id).join(" ")}) runs random fault schedules
(loss, reordering, duplicates, partitions, crashes, a crash right after a persist, held
messages, and in Lab 2 a leader deposed and brought back while its replies are held, which
then arrive late) against your code for a minute (\`TIME=s\` or \`RUNS=n\`, \`PARALLEL=k\`); a failure
prints its seed, its replay command (\`make hunt-2C SEED=n RUNS=1\`), the fewest faults that
still fail and a timeline page.

**Grading profiles** (your course picks one; \`make grade PROFILE=…\`): ${GRADING_PROFILES.map((g) => `\`${g.id}\`: ${g.summary}`).join("; ")}. Under either, a test's points count only if it passed every run (every seed).
Under \`strict\`, a part's points are split evenly over its graded tests, its extra tests and its
schedule search, which runs ${Object.entries(GRADING_PROFILES.find((g) => g.id === "strict")!.huntRuns).map(([id, n]) => `${id}: ${n}`).join(", ")} runs
(\`make hunt-XX RUNS=n\` with the grade's seeds); one failing hunt run costs the whole part, and the
grade names its seed and \`make hunt-XX SEED=n RUNS=1\` to replay it. Lab 1's extra test carries no points.

**Lab 1 (\`make test-mr\`) is different**: real processes on the wall clock, as the course's
\`test-mr.sh\`. Only \`RUN=regex\` (tests by name: wc, indexer, map parallelism, …) and
\`COUNT=n\` (the whole script n times, stopping at the first failing run, like
\`test-mr-many.sh\`) apply; \`SEED\`, \`REALTIME\`, \`TRACE\`, \`DEBUG\` and \`VIS\` do not. A job
that cannot finish fails at once with its likely cause rather than at the 180 s limit: no
call answered by the coordinator 10 s after a worker started and reached it (no task
handed out), the coordinator still running 8 s after every worker exited, or a worker
still running 15 s after the coordinator exited (workers must exit when the job is done).${extra.length === 0 ? "" : ` Some parts also run tests of ours that any correct solution passes (points only under the \`strict\` profile): ${extra.map((p) => `${p.id}: ${(p.extraTests ?? []).join(", ")}`).join("; ")}.`}

## Rules

- **Time and randomness come only from \`runtime/\`**: \`now()\`, \`sleep(ms)\`,
  \`after(ms, fn)\`, \`randInt(n)\`, \`random()\`, \`nrand()\`. Node's own timers, its clock and
  Math's random generator would escape the virtual clock and the seed; a static test
  (\`labs-test/tools/static-check.test.ts\`) fails on them anywhere, comments included.
- **The network only through labrpc**: \`await peers[i].call("Raft.Method", args)\` resolves to
  \`{ ok: true, reply }\` or \`{ ok: false }\`; it may take a while (a call to a disconnected
  peer fails after up to 7 s in the Raft tests, which turn labrpc's long delays on as the
  course's do; within 100 ms in Labs 3 and 4) but never needs a timeout of yours. Args and replies are plain data
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
    simulator: virtual time, limit 1800 s, cost diskBytesPerMs=6000 linkBytesPerMs=20000 …
\`\`\`

The first line names the test and its seed, then comes the course's message, then the
command that replays exactly this run, then the simulator's options that run had (the
virtual time limit and the cost model: what disks and links cost, and how often the
network drops, delays and reorders; labrpc/README.md explains each). Replay it with \`DEBUG=all\` (or a few topics) to
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
