// Every way a graded test can end in failure comes back from runGraded() as a failure
// with the run's seed, which graded() and the many-seeds worker print with the replay
// command: an assertion, a stalled or livelocked world, the virtual limit, the wall
// limit, and an error nobody caught in student code. Each body ends within a second.
import { expect, test } from "vitest";
import { after, Channel, sleep } from "../../runtime/index.js";
import { MAX_EVENTS_AT_ONE_INSTANT } from "../../runtime/sim-clock.js";
import { replayCommand } from "./replay.js";
import { runGraded, WallLimitExceeded, type GradedResult, type RunSettings } from "./run-graded.js";

const NAME = "TestInitialElection2A";

interface Ended {
  result: GradedResult;
  message: string;
  failure: unknown;
}

async function fails(body: () => Promise<void>, settings: Partial<RunSettings> = {}): Promise<Ended> {
  const { result, failure } = await runGraded(NAME, body, {}, { seed: 77, realtime: false, ...settings });
  expect(result).toMatchObject({ passed: false, seed: 77, part: "2A" });
  expect(failure).toBeInstanceOf(Error);
  const message = (failure as Error).message;
  expect(result.error).toBe(message.split("\n")[0]);
  return { result, message, failure };
}

test("the replay command names the part, the seed and the test", () => {
  expect(replayCommand(NAME, 77, false)).toBe("make test-2A SEED=77 RUN=TestInitialElection2A");
  expect(replayCommand(NAME, 77, true)).toBe("make test-2A SEED=77 RUN=TestInitialElection2A REALTIME=1");
});

test("a passing test records its virtual time and CPU time", async () => {
  const { result, failure } = await runGraded(NAME, () => sleep(1500), {}, { seed: 77, realtime: false });
  expect(failure).toBeUndefined();
  expect(result).toMatchObject({ passed: true, seed: 77, virtualMs: 1500, part: "2A" });
  expect(result.cpuMs).toBeGreaterThanOrEqual(0);
});

test("an assertion fails with its message", async () => {
  const run = await fails(async () => {
    await sleep(10);
    throw new Error("expected one leader, got 2");
  });
  expect(run.message).toBe("expected one leader, got 2");
  expect(run.result.virtualMs).toBe(10);
});

test("a sleep(0) loop fails at once, naming the likely cause", async () => {
  let spins = 0;
  const run = await fails(async () => {
    await sleep(250);
    for (;;) {
      spins++;
      await sleep(0);
    }
  });
  expect(run.message).toMatch(/simulation stalled at virtual 0\.250s: \d+ events ran/);
  expect(run.message).toContain("a loop that awaits sleep(0) or retries at once");
  expect(spins).toBeGreaterThanOrEqual(MAX_EVENTS_AT_ONE_INSTANT);
  expect(spins).toBeLessThan(MAX_EVENTS_AT_ONE_INSTANT + 2048);
  expect(run.result.virtualMs).toBe(250);
});

test("a test waiting on something nothing will deliver fails", async () => {
  const run = await fails(async () => {
    await sleep(40);
    await new Channel<number>().recv();
  });
  expect(run.message).toContain("no timer or message is pending");
  expect(run.result.virtualMs).toBe(40);
});

test("the virtual time limit fails the test", async () => {
  const run = await fails(() => sleep(5000), { limitMs: 2000 });
  expect(run.message).toContain("virtual time limit of 2s exceeded");
});

test("the wall-clock limit fails the test in simulated mode", async () => {
  // Virtual time races ahead without bound; only the wall limit can end this test.
  const run = await fails(
    async () => {
      for (;;) await sleep(1000);
    },
    { wallLimitMs: 50, limitMs: Number.POSITIVE_INFINITY },
  );
  expect(run.failure).toBeInstanceOf(WallLimitExceeded);
  expect(run.message).toMatch(/wall-clock limit of 0\.05 s \(at virtual \d+\.\d{3} s\)/);
  expect(run.result.virtualMs).toBeGreaterThan(0);
});

test("the wall-clock limit fails the test in real time", async () => {
  const run = await fails(() => sleep(60_000), { wallLimitMs: 50, realtime: true });
  expect(run.failure).toBeInstanceOf(WallLimitExceeded);
  expect(run.result.realtime).toBe(true);
});

test("an error nobody caught in a detached task fails the test at once", async () => {
  const run = await fails(async () => {
    // A student's background loop that throws; nobody awaits it.
    void (async () => {
      await sleep(30);
      throw new Error("raft ticker crashed");
    })();
    await sleep(60_000);
  });
  expect(run.message).toBe("uncaught error in a detached task: raft ticker crashed");
  expect(run.result.virtualMs).toBe(30);
});

test("an error thrown by a timer callback fails the test", async () => {
  const run = await fails(async () => {
    after(20, () => {
      throw new Error("heartbeat timer crashed");
    });
    await sleep(60_000);
  });
  expect(run.message).toBe("heartbeat timer crashed");
});
