// Raft runs that fail on purpose, under the real harness, for the timeline's tests: a
// 2C-style run of our Raft (crashes, restarts, a partition) that ends in a harness
// failure, and a run of a Raft that traces nothing.
import { failingRun, type FailedRun } from "../../labs-test/vis/fixtures/failing-run.js";
import { sleep } from "../../runtime/index.js";
import { Config, type RaftMaker } from "../config.js";

/** 5 peers of our Raft: agreement, a crashed and restarted leader, a partition; then a failed check. */
export function failing2C(dir: string, seed = 7): Promise<FailedRun> {
  return failingRun("Failing2C", seed, dir, 5, async () => {
    const cfg = new Config(5, false, false);
    try {
      await cfg.one(101, 5, true);
      const l1 = await cfg.checkOneLeader();
      cfg.crash1(l1);
      await cfg.one(102, 4, true);
      cfg.start1(l1, cfg.applier);
      cfg.connect(l1);
      await cfg.one(103, 5, true);
      const l2 = await cfg.checkOneLeader();
      cfg.disconnect((l2 + 1) % 5);
      cfg.disconnect((l2 + 2) % 5);
      await cfg.one(104, 3, true);
      await sleep(500);
      cfg.fatal("deliberate failure: expected 5 servers to commit index 4 (the timeline's test)");
    } finally {
      cfg.cleanup();
    }
  });
}

/** A Raft that traces nothing, under the real harness; fails after one agreement and a disconnection. */
export function failingSilent(maker: RaftMaker, dir: string, seed = 3): Promise<FailedRun> {
  return failingRun("FailingSilent", seed, dir, 3, async () => {
    const cfg = new Config(3, false, false, maker);
    try {
      await cfg.one(11, 3, false);
      const l = await cfg.checkOneLeader();
      cfg.disconnect(l);
      await sleep(1500);
      cfg.connect(l);
      await cfg.one(12, 3, true);
      cfg.fatal("deliberate failure after two agreements (the timeline's test)");
    } finally {
      cfg.cleanup();
    }
  });
}

