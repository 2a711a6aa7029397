// The safety monitors end to end, under the real Raft harness: a deliberately broken Raft
// fails its run at the very event that breaks a rule, with the rule and the peers in the
// message, a `safety` event in the trace where the timeline draws it, and (through the
// runner, in a scratch copy of the repository where our Raft forgets its persisted term) the usual failure lines with the seed and the replay command.
//
// The fakes below run no Raft: each only claims what a broken Raft would, through the
// course's API (getState(), applyCh, an RPC handler), at chosen virtual times. The course's
// own checks never run here, so only a monitor can fail these runs.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { expect, test } from "vitest";
import { runGraded } from "../../labs-test/harness/run-graded.js";
import { withFrame } from "../../labs-test/harness/test-frame.js";
import { buildTimeline } from "../../labs-test/vis/timeline-model.js";
import { encode, type ClientEnd } from "../../labrpc/index.js";
import { after, sleep, type Channel } from "../../runtime/index.js";
import { Config, type RaftMaker, type RaftPeer } from "../config.js";
import type { Persister } from "../persister.js";
import type { ApplyMsg } from "../raft.js";
import { copyRepo } from "./student-raft/scratch.js";

/** A peer that runs no Raft: it answers Ping and says what its script tells it to. */
class FakePeer implements RaftPeer {
  term = 0;
  leader = false;
  dead = false;

  constructor(
    readonly me: number,
    readonly peers: ClientEnd[],
    readonly applyCh: Channel<ApplyMsg>,
  ) {}

  getState(): { term: number; isLeader: boolean } {
    return { term: this.term, isLeader: this.leader };
  }
  start(): { index: number; term: number; isLeader: boolean } {
    return { index: -1, term: this.term, isLeader: false };
  }
  snapshot(): void {}
  condInstallSnapshot(): boolean {
    return true;
  }
  kill(): void {
    this.dead = true;
  }
  /** An RPC handler: answering it in a term makes that term binding across a restart. */
  ping(): { term: number } {
    return { term: this.term };
  }
}

function fakeMaker(script: (p: FakePeer) => void): RaftMaker {
  return {
    make(peers: ClientEnd[], me: number, _persister: Persister, applyCh: Channel<ApplyMsg>): RaftPeer {
      const p = new FakePeer(me, peers, applyCh);
      script(p);
      return p;
    },
  };
}

/** Run body as the graded test `name` would run, with a seed and a recorded trace. */
async function run(name: string, body: () => Promise<void>) {
  const { result, failure, world } = await runGraded(name, body, {}, { seed: 77, realtime: false, record: 10_000 });
  expect(result.passed, "the monitor should have failed this run").toBe(false);
  const events = [...world!.tracer.events()];
  return { result, message: (failure as Error).message, safety: events.filter((e) => e.ev === "safety"), events };
}

test("two leaders of one term, half a second apart: election safety fails the run at the second claim", async () => {
  // Each peer claims leadership of term 1 at 1000 + 500·me ms, and gives it up 100 ms later:
  // never two at once, so no checkOneLeader() could see it.
  const maker = fakeMaker((p) => {
    after(1000 + 500 * p.me, () => {
      p.term = 1;
      p.leader = true;
      after(100, () => (p.leader = false));
    });
  });
  const r = await run("TestInitialElection2A", async () => {
    await withFrame(new Config(3, false, false, maker), () => sleep(5000));
  });
  expect(r.message).toBe("safety: election safety: term 1 has two leaders, S0 (at 1000 ms) and S1 (at 1500 ms)");
  expect(r.result.error).toBe(r.message);
  expect(r.result.virtualMs).toBe(1500); // at the event, not at the end of the body's sleep
  expect(r.safety.map((e) => [e.peer, e.t, e.rule])).toEqual([
    [0, 1500, "election safety"],
    [1, 1500, "election safety"],
  ]);
  const m = buildTimeline(r.events, { failure: { t: r.result.virtualMs, text: r.message } });
  expect(m.markKinds).toContain("safety");
  expect(m.warnings.join(" ")).not.toContain("safety"); // a known kind
});

test("a restarted peer below a term it answered RPCs in: term monotonicity fails the run at the restart", async () => {
  // Every peer is in term 3 and pings the others; a restarted one comes back in term 0
  // (it persisted nothing).
  const maker = fakeMaker((p) => {
    after(200, () => (p.term = 3));
    const tick = (): void => {
      if (p.dead) return;
      for (const [j, end] of p.peers.entries()) if (j !== p.me) void end.call("Raft.Ping", {});
      after(100, tick);
    };
    after(300, tick);
  });
  const r = await run("TestPersist12C", async () => {
    await withFrame(new Config(3, false, false, maker), async (cfg) => {
      await sleep(1000);
      cfg.crash1(1);
      await sleep(500);
      cfg.start1(1, cfg.applier);
      cfg.connect(1);
      await sleep(1000);
    });
  });
  expect(r.message).toBe(
    "safety: term monotonicity: S1 restarted (at 1500 ms) in term 0, below term 3, in which it had answered RPCs before its crash at 1000 ms: its term was not persisted",
  );
  expect(r.result.virtualMs).toBe(1500);
  expect(r.safety.map((e) => e.peer)).toEqual([1]);
});

test("a snapshot below what the service applied, installed: snapshot rollback fails the run there (the course's applier takes it)", async () => {
  // Peer 0 applies commands 1..12 (the same on every peer), then hands its service a
  // snapshot through index 5, and condInstallSnapshot says yes.
  const snapshotThrough5 = encode({ lastIncludedIndex: 5, log: [null, 1, 2, 3, 4, 5] }, "snapshot");
  const maker = fakeMaker((p) => {
    if (p.me !== 0) return;
    after(100, () => {
      void (async () => {
        for (let k = 1; k <= 12; k++) await p.applyCh.send({ commandValid: true, command: k, commandIndex: k, commandTerm: 1 });
        await sleep(50);
        await p.applyCh.send({ snapshotValid: true, snapshot: snapshotThrough5, snapshotTerm: 1, snapshotIndex: 5 });
      })();
    });
  });
  const r = await run("TestSnapshotBasic2D", async () => {
    await withFrame(new Config(3, false, true, maker), () => sleep(2000));
  });
  expect(r.message).toBe(
    "safety: snapshot rollback: S0 installed a snapshot through index 5 at 150 ms, after it had applied through index 12: its applied point moved back",
  );
  expect(r.result.virtualMs).toBe(150);
});

test("through the runner: our Raft forgetting its persisted term on a restart fails TestPersist12C with the rule, the seed and the replay command", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "safety-planted-"));
  try {
    copyRepo(dir);
    const raft = path.join(dir, "raft/raft.ts");
    const source = readFileSync(raft, "utf8");
    const from = "this.currentTerm = st.term;";
    expect(source.split(from).length - 1, "the plant's line in raft/raft.ts changed: update this test").toBe(1);
    writeFileSync(raft, source.replace(from, "this.currentTerm = 0;"));
    const seed = 5;
    const r = await execa("node_modules/.bin/tsx", ["labs-test/tools/run.ts", "2C"], {
      cwd: dir,
      env: { SEED: String(seed), RUN: "^TestPersist12C$", COUNT: "1", FORCE_COLOR: "0" },
      reject: false,
      all: true,
    });
    const out = r.all ?? "";
    expect(out).toContain(`--- FAIL: TestPersist12C (seed ${seed})`);
    expect(out).toMatch(/\n {4}safety: term monotonicity: S\d restarted \(at [\d.]+ ms\) in term 0, below term \d+, in which it had answered RPCs/);
    expect(out).toContain(`replay: make test-2C SEED=${seed} RUN=TestPersist12C`);
    expect(out).toMatch(/timeline: \S+TestPersist12C-seed5\.html/);
    expect(r.exitCode).not.toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
