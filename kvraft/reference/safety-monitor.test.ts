// The safety monitors under kvraft's harness, with our reference: they see this lab's Raft
// (getState() of each server's rf, the ApplyMsgs its service takes from the applyCh it made
// at start, its condInstallSnapshot() answers, the RPCs it answered) through restarts and
// snapshots, and find nothing wrong in a correct run; and a service installing a snapshot
// below what it applied fails the test at once, through the frame.
import { expect, test } from "vitest";
import type { MonitorGroup } from "../../labs-test/harness/safety-monitor.js";
import { sleep } from "../../runtime/index.js";
import { withConfig } from "../config.js";
import { expectValue, inWorld, leaderOf } from "../framework/test-cluster.js";

test("a correct run with restarts and snapshots: every kind of observation arrives, no violation", async () => {
  let seen: MonitorGroup["seen"] | undefined;
  await inWorld(() =>
    withConfig(3, false, 1000, async (cfg) => {
      const ck = cfg.makeClient(cfg.all());
      await ck.put("a", "A");
      const l = await leaderOf(cfg);
      const behind = (l + 1) % 3;
      cfg.disconnect(behind, cfg.all());
      for (let i = 0; i < 60; i++) await ck.append("a", `${i}`); // past maxraftstate: snapshots
      cfg.connect(behind, cfg.all()); // catches up by InstallSnapshot
      await sleep(2000);
      cfg.shutdownServer(l);
      cfg.startServer(l);
      cfg.connect(l, cfg.all());
      await ck.put("b", "B");
      await expectValue(ck, "b", "B");
      expect(cfg.safety, "monitors are on by default").toBeDefined();
      expect(cfg.safety!.groups).toHaveLength(1);
      seen = { ...cfg.safety!.groups[0]!.seen };
      expect(cfg.safety!.violation).toBeUndefined();
    }),
  );
  expect(seen!.leaders).toBeGreaterThan(0);
  expect(seen!.answers).toBeGreaterThan(0);
  expect(seen!.applies).toBeGreaterThan(2 * 60); // the servers in touch applied every append, through the applyCh they made
  expect(seen!.snapshots).toBeGreaterThan(0); // condInstallSnapshot answered yes
});

test("a service installing a snapshot below its applied point fails the test, naming the server", async () => {
  let err: unknown;
  await inWorld(async () => {
    try {
      await withConfig(3, false, -1, async (cfg) => {
        const ck = cfg.makeClient(cfg.all());
        for (let i = 0; i < 5; i++) await ck.put(`k${i}`, "v");
        await sleep(500); // every server applied them
        // As a buggy service would: ask Raft to install a snapshot through index 1 (ours says yes).
        cfg.server(0)!.rf.condInstallSnapshot(1, 1, new Uint8Array(0));
        await sleep(60_000);
      });
    } catch (e) {
      err = e;
    }
  });
  expect((err as Error).message).toMatch(
    /^safety: snapshot rollback: S0 installed a snapshot through index 1 at [\d.]+ ms, after it had applied through index \d+: its applied point moved back$/,
  );
});
