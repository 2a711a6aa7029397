// The safety monitors under shardkv's harness, with our reference: the controller's Raft
// and each replication group's are checked apart, each sees its leaders, its answered RPCs
// and the ApplyMsgs its services take, through a group's restart; nothing is wrong in a
// correct run.
import { expect, test } from "vitest";
import { sleep } from "../../runtime/index.js";
import { runWorld } from "../../runtime/world.js";
import { withConfig } from "../config.js";

test("the controller and every group are monitored apart; a correct run with a restart has no violation", async () => {
  const seen = new Map<string, { leaders: number; applies: number; answers: number }>();
  await runWorld({ seed: 4242 }, () =>
    withConfig(3, false, 1000, async (cfg) => {
      const ck = cfg.makeClient();
      await cfg.joinm([0, 1, 2]);
      for (let i = 0; i < 20; i++) await ck.put(`k${i}`, `v${i}`);
      cfg.shutdownGroup(1);
      cfg.startGroup(1);
      for (let i = 0; i < 20; i++) expect(await ck.get(`k${i}`)).toBe(`v${i}`);
      await sleep(500);
      for (const g of cfg.safety!.groups) seen.set(g.name, { ...g.seen });
      expect(cfg.safety!.violation).toBeUndefined();
      expect(cfg.safety!.groups.map((g) => [g.name, g.lanes])).toEqual([
        ["controller", ["ctrler0", "ctrler1", "ctrler2"]],
        ...[100, 101, 102].map((gid) => [`group ${gid}`, [0, 1, 2].map((i) => cfg.serverName(gid, i))]),
      ]);
    }),
  );
  for (const [name, s] of seen) {
    expect(s.leaders, name).toBeGreaterThan(0);
    expect(s.answers, name).toBeGreaterThan(0);
    expect(s.applies, name).toBeGreaterThan(0);
  }
});
