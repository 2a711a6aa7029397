import { expect, test } from "vitest";
import { collect, collected, collectingFrom, startCollecting } from "./registry.js";
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
