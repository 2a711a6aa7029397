import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, test, vi } from "vitest";
import { DEFAULT_COST_MODEL } from "../../runtime/cost-model.js";
import { now, runWorld, sleep } from "../../runtime/index.js";
import { passedLine } from "./passed-line.js";
import { readStats, recordStats, STATS_ENV } from "./stats-sink.js";
import { TEST_LIMIT_MS, TestFrame, withFrame, type FrameCounters } from "./test-frame.js";
import { randn, randomCommand, randstring, shuffle } from "./tester-rand.js";

/** A harness with hand-driven counters, standing in for a lab's config. */
class ToyConfig extends TestFrame {
  figures: FrameCounters = { rpcs: 0, bytes: 0, ops: 0 };
  shutdowns = 0;

  constructor(peers = 3, style: "raft" | "kv" | "plain" = "raft") {
    super({ peers, style });
  }

  protected counters(): FrameCounters {
    return { ...this.figures };
  }

  protected shutdown(): void {
    this.shutdowns++;
  }
}

let dir = "";
let printed: string[] = [];
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "frame-test-"));
  vi.stubEnv(STATS_ENV, path.join(dir, "stats.jsonl"));
  printed = [];
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    printed.push(String(chunk));
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

const inWorld = <T>(body: () => Promise<T>): Promise<T> => runWorld({ seed: 7 }, body);

test("the Passed lines are the course's, byte for byte", () => {
  // raft/config.go and kvraft/config.go sample lines from the course's handouts.
  expect(passedLine("raft", { seconds: 3.5, peers: 3, rpcs: 58, bytes: 16840, ops: 0 })).toBe(
    "  ... Passed --   3.5  3   58   16840    0",
  );
  expect(passedLine("kv", { seconds: 15.5, peers: 5, rpcs: 4576, bytes: 1, ops: 903 })).toBe(
    "  ... Passed --  15.5  5  4576  903",
  );
  expect(passedLine("plain", { seconds: 1, peers: 3, rpcs: 9, bytes: 9, ops: 9 })).toBe("  ... Passed");
  // Go's widths are minimums: large figures widen the line instead of being cut.
  expect(passedLine("raft", { seconds: 123.45, peers: 5, rpcs: 12345, bytes: 44771259, ops: 1544 })).toBe(
    "  ... Passed --  123.5  5 12345 44771259 1544",
  );
});

test("begin/end print the title and the figures' growth, and record one stats line", async () => {
  await inWorld(() =>
    withFrame(new ToyConfig(5, "kv"), async (cfg) => {
      cfg.figures = { rpcs: 10, bytes: 100, ops: 1 };
      cfg.begin("Test: toy (3A)");
      await sleep(2500);
      cfg.figures = { rpcs: 52, bytes: 900, ops: 4 };
      cfg.end();
    }),
  );
  expect(printed).toEqual(["Test: toy (3A) ...\n", "  ... Passed --   2.5  5    42    3\n"]);
  const [rec, ...rest] = readStats(path.join(dir, "stats.jsonl"));
  expect(rest).toEqual([]);
  expect(rec).toMatchObject({ kind: "test", title: "Test: toy (3A)", seconds: 2.5, peers: 5, rpcs: 42, bytes: 800, ops: 3 });
  expect(rec!.realtime).toBe(false);
});

test("a title that already ends in dots prints as given (shardkv's \"Test: unreliable 1...\")", async () => {
  await inWorld(() =>
    withFrame(new ToyConfig(3, "plain"), async (cfg) => {
      cfg.begin("Test: unreliable 1...");
      cfg.end();
      cfg.begin("Test: static shards ...");
      cfg.end();
    }),
  );
  expect(printed).toEqual(["Test: unreliable 1...\n", "  ... Passed\n", "Test: static shards ...\n", "  ... Passed\n"]);
});

test("a stuck body is cut off by the watchdog a second after the 120 s limit", async () => {
  let cfg: ToyConfig | undefined;
  let stoppedAt = -1;
  const run = inWorld(() =>
    withFrame(new ToyConfig(), async (c) => {
      cfg = c;
      c.begin("Test (2A): stuck");
      await sleep(10 * TEST_LIMIT_MS);
    }).finally(() => {
      stoppedAt = now();
    }),
  );
  await expect(run).rejects.toThrow("test took longer than 120 seconds");
  expect(stoppedAt).toBe(TEST_LIMIT_MS + 1000);
  expect(cfg!.shutdowns).toBe(1);
  expect(printed).toEqual(["Test (2A): stuck ...\n"]);
});

test("a merely slow test fails in end(), as the course's checkTimeout does", async () => {
  const run = inWorld(() =>
    withFrame(new ToyConfig(), async (cfg) => {
      cfg.begin("Test (2A): slow");
      await sleep(TEST_LIMIT_MS + 500);
      cfg.end();
    }),
  );
  await expect(run).rejects.toThrow("test took longer than 120 seconds");
  expect(printed).toEqual(["Test (2A): slow ...\n"]);
});

test("a failing go() task fails the test at once, while the body still waits", async () => {
  let failedAt = -1;
  const run = inWorld(async () => {
    try {
      await withFrame(new ToyConfig(), async (cfg) => {
        void cfg.go(async () => {
          await sleep(300);
          throw new Error("apply error: boom");
        });
        await sleep(60_000);
      });
    } finally {
      failedAt = now();
    }
  });
  await expect(run).rejects.toThrow("apply error: boom");
  expect(failedAt).toBe(300);
});

test("the body's own error wins over cleanup's, and cleanup runs once", async () => {
  let cfg: ToyConfig | undefined;
  const run = inWorld(() =>
    withFrame(new ToyConfig(), async (c) => {
      cfg = c;
      c.fail(new Error("later found by an applier"));
      throw new Error("the body's assertion");
    }),
  );
  await expect(run).rejects.toThrow("the body's assertion");
  expect(cfg!.shutdowns).toBe(1);
  expect(cfg!.checkFinished()).toBe(true);
  expect(() => cfg!.cleanup()).toThrow("later found by an applier"); // idempotent; the latched failure stays
  expect(cfg!.shutdowns).toBe(1);
});

test("fatal() is Go's t.Fatalf: it throws and latches", async () => {
  await inWorld(async () => {
    const cfg = new ToyConfig();
    expect(() => cfg.fatal("expected one leader, got none")).toThrow("expected one leader, got none");
    expect(cfg.hasFailed).toBe(true);
    expect(() => cfg.checkFailed()).toThrow("expected one leader, got none");
    expect(() => cfg.cleanup()).toThrow("expected one leader, got none");
  });
});

test("bad input: peers must be a count", async () => {
  await inWorld(async () => {
    expect(() => new ToyConfig(-1)).toThrow(/peers must be a non-negative integer, got -1/);
    expect(() => new ToyConfig(2.5)).toThrow(/peers must be a non-negative integer, got 2.5/);
  });
});

test("the stats sink writes nothing without LABS_STATS and rejects malformed records", async () => {
  const file = path.join(dir, "stats.jsonl");
  await inWorld(async () => {
    expect(() => recordStats({ kind: "test", title: "t", rpcs: -1 })).toThrow();
    expect(() => recordStats({ kind: "test", title: "t", rpcs: 1.5 })).toThrow();
    recordStats({ kind: "check", title: "t", ops: 12, result: "ok", partitions: 2, wallMs: 3.5 });
    vi.stubEnv(STATS_ENV, "");
    recordStats({ kind: "check", title: "not written", ops: 1 });
  });
  expect(readStats(file)).toEqual([
    { kind: "check", title: "t", realtime: false, seconds: 0, wallMs: 3.5, peers: 0, rpcs: 0, bytes: 0, ops: 12, result: "ok", partitions: 2, cost: DEFAULT_COST_MODEL },
  ]);
  expect(readStats(path.join(dir, "absent.jsonl"))).toEqual([]);
  // A world with another cost model records that one.
  const slowDisk = { ...DEFAULT_COST_MODEL, diskBytesPerMs: 3_000 };
  vi.stubEnv(STATS_ENV, file);
  await runWorld({ seed: 7, cost: { diskBytesPerMs: 3_000 } }, async () => recordStats({ kind: "test", title: "slow disk" }));
  expect(readStats(file)[1]?.cost).toEqual(slowDisk);
  const good = readFileSync(file, "utf8");
  writeFileSync(file, good + JSON.stringify({ ...readStats(file)[1], cost: { ...slowDisk, wireJitterMs: -1 } }) + "\n");
  expect(() => readStats(file)).toThrow(/stats\.jsonl:3: not a stats record: cost model: wireJitterMs must be a non-negative number/);
  const { handlerPollMs: _, ...partial } = slowDisk;
  writeFileSync(file, good + JSON.stringify({ kind: "test", title: "t", realtime: false, seconds: 0, wallMs: 0, peers: 0, rpcs: 0, bytes: 0, ops: 0, result: "", partitions: 0, cost: partial }) + "\n");
  expect(() => readStats(file)).toThrow(/stats\.jsonl:3: not a stats record: cost model without handlerPollMs/);
  writeFileSync(file, good + '{"kind":"test"}\n');
  expect(() => readStats(file)).toThrow(/stats\.jsonl:3: not a stats record/);
  writeFileSync(file, "{oops\n");
  expect(() => readStats(file)).toThrow(/stats\.jsonl:1: not JSON/);
});

test("the tester's draws replay with the seed and reject bad bounds", async () => {
  const draw = (): Promise<unknown[]> =>
    inWorld(async () => [randstring(20), randn(1000), randomCommand(), shuffle([1, 2, 3, 4, 5, 6])]);
  const a = await draw();
  expect(await draw()).toEqual(a);
  expect(a[0]).toMatch(/^[A-Za-z0-9_-]{20}$/);
  expect([...(a[3] as number[])].sort()).toEqual([1, 2, 3, 4, 5, 6]);
  await inWorld(async () => {
    expect(() => randn(0)).toThrow(/randn: n must be a positive integer, got 0/);
    expect(() => randstring(-2)).toThrow(/randstring: length must be a non-negative integer, got -2/);
  });
});
