import { expect, test } from "vitest";
import { collect, collected, collectingFrom, startCollecting } from "./registry.js";
import { runWorld } from "../../runtime/world.js";
import { failReport, replayCommand } from "./replay.js";

// labrpc and 4A both have a TestBasic: the many-seeds worker's FAIL line must replay the
// one that failed, so the test's file travels with it from collection to the report.

test("a FAIL line's replay command names the part of the test's file, not the first part with that name", () => {
  expect(replayCommand("TestBasic", 7, false, "labrpc/labrpc.test.ts")).toBe("make test-labrpc SEED=7 RUN=TestBasic");
  expect(replayCommand("TestBasic", 7, false, "shardctrler/shardctrler.test.ts")).toBe("make test-4A SEED=7 RUN=TestBasic");
  expect(failReport("TestBasic", 9, "boom", true, "shardctrler/shardctrler.test.ts")).toBe(
    "--- FAIL: TestBasic (seed 9)\n    boom\n    replay: make test-4A SEED=9 RUN=TestBasic REALTIME=1\n",
  );
});

test("a FAIL report carries the run's simulator options: clock, virtual limit, every cost model field", async () => {
  const options = await runWorld({ seed: 9, limitMs: 120_000, cost: { wireJitterMs: 0.75 } }, async (w) => w.describeOptions());
  expect(options).toMatch(/^virtual time, limit 120 s, cost diskBytesPerMs=6000 linkBytesPerMs=20000 messageOverheadMs=0.3 wireLatencyMs=0.25 wireJitterMs=0.75 .*requestLoss=100\/1000 /);
  expect(failReport("TestBasic", 9, "boom", false, "shardctrler/shardctrler.test.ts", options)).toBe(
    `--- FAIL: TestBasic (seed 9)\n    boom\n    replay: make test-4A SEED=9 RUN=TestBasic\n    simulator: ${options}\n`,
  );
  expect(await runWorld({ seed: 9, realtime: true }, async (w) => w.describeOptions())).toMatch(/^real time, cost diskBytesPerMs=6000 /);
});

test("collect mode records the file each test was loaded from", () => {
  const key = Symbol.for("labs-ts.collect");
  const g = globalThis as { [key]?: unknown };
  const saved = g[key];
  try {
    startCollecting();
    collectingFrom("shardctrler/shardctrler.test.ts");
    collect({ kind: "plain", name: "TestBasic", body: () => undefined });
    collectingFrom("raft/raft.test.ts");
    collect({ kind: "plain", name: "TestInitialElection2A", body: () => undefined });
    expect(collected().get("TestBasic")?.file).toBe("shardctrler/shardctrler.test.ts");
    expect(collected().get("TestInitialElection2A")?.file).toBe("raft/raft.test.ts");
  } finally {
    g[key] = saved;
  }
});
