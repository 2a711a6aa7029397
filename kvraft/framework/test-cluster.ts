// Small clusters for the kvraft bad-input tests (framework side, shipped): a seeded
// world, a three-server cluster with a written key, raw ends that bypass the Clerk.
import { expect } from "vitest";
import type { ClientEnd } from "../../labrpc/index.js";
import { sleep } from "../../runtime/index.js";
import { hasWorld, runWorld } from "../../runtime/world.js";
import type { Clerk } from "../client.js";
import { withConfig, type Config } from "../config.js";

/** Every test here runs one fixed seed: they check behaviour, not timing. */
const SEED = 5150;

/** body in a world of its own with SEED, or in the graded test's world if one is running. */
export function inWorld(body: () => Promise<void>): Promise<void> {
  return hasWorld() ? body() : runWorld({ seed: SEED }, body);
}

export async function expectValue(ck: Clerk, key: string, value: string): Promise<void> {
  expect(await ck.get(key)).toBe(value);
}

/** Three servers on a reliable net, a clerk that has written a=A, and the current leader. */
export function withCluster(body: (cfg: Config, ck: Clerk, leader: number) => Promise<void>): Promise<void> {
  return inWorld(() =>
    withConfig(3, false, -1, async (cfg) => {
      const ck = cfg.makeClient(cfg.all());
      await ck.put("a", "A");
      await body(cfg, ck, await leaderOf(cfg));
    }),
  );
}

/** An enabled end to server i that no clerk owns: requests exactly as a test writes them. */
export function rawEnd(cfg: Config, name: string, i: number): ClientEnd {
  const end = cfg.net.makeEnd(name);
  cfg.net.connect(name, i);
  cfg.net.enable(name, true);
  return end;
}

/** The first server whose Raft says it leads, waiting for an election if need be. */
export async function leaderOf(cfg: Config): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const l = cfg.leader();
    if (l.ok) return l.leader;
    await sleep(100);
  }
  throw new Error("no leader elected");
}

