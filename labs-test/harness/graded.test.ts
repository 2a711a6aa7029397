// Every way a graded test can end in failure prints its seed and the exact replay command:
// an assertion, a stalled or livelocked world, the virtual limit, the wall limit, and an
// error nobody caught in student code. Each body here is small and ends within a second.
import { expect, test } from "vitest";
import { after, Channel, sleep } from "../../runtime/index.js";
import { MAX_EVENTS_AT_ONE_INSTANT } from "../../runtime/sim-clock.js";
import { runGraded, WallLimitExceeded, type GradedRun, type RunGradedOptions } from "./graded.js";

const NAME = "TestInitialElection2A";
const REPLAY = "make test-2A SEED=77 RUN=TestInitialElection2A";

async function fails(body: () => Promise<void>, opts: Partial<RunGradedOptions> = {}): Promise<GradedRun & { printed: string }> {
  const lines: string[] = [];
  const run = await runGraded(NAME, body, { seed: 77, realtime: false, print: (l) => lines.push(l), ...opts });
  const printed = lines.join("\n");
  expect(run.result.passed).toBe(false);
  expect(run.result.seed).toBe(77);
  expect(printed).toContain(`--- FAIL: ${NAME} (seed 77)`);
  expect(printed).toContain(`replay: ${opts.realtime === true ? `${REPLAY} REALTIME=1` : REPLAY}`);
  expect(run.failure?.message).toContain(`seed 77; replay: ${REPLAY}`);
  return { ...run, printed };
}

test("a passing test prints nothing and records its virtual time", async () => {
  const lines: string[] = [];
  const run = await runGraded(NAME, () => sleep(1500), { seed: 77, realtime: false, print: (l) => lines.push(l) });
  expect(run.failure).toBeUndefined();
  expect(run.result).toMatchObject({ passed: true, seed: 77, virtualMs: 1500, part: "2A" });
  expect(lines).toEqual([]);
});

test("an assertion prints the seed and the replay command", async () => {
  const run = await fails(async () => {
    await sleep(10);
    throw new Error("expected one leader, got 2");
  });
  expect(run.printed).toContain("expected one leader, got 2");
  expect(run.result).toMatchObject({ error: "expected one leader, got 2", virtualMs: 10 });
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
  expect(run.printed).toMatch(/simulation stalled at virtual 0\.250s: \d+ events ran/);
  expect(run.printed).toContain("a loop that awaits sleep(0) or retries at once");
  expect(spins).toBeGreaterThanOrEqual(MAX_EVENTS_AT_ONE_INSTANT);
  expect(spins).toBeLessThan(MAX_EVENTS_AT_ONE_INSTANT + 2048);
  expect(run.result.virtualMs).toBe(250);
});

test("a test waiting on something nothing will deliver fails with its seed", async () => {
  const run = await fails(async () => {
    await sleep(40);
    await new Channel<number>().recv();
  });
  expect(run.printed).toContain("no timer or message is pending");
  expect(run.result.virtualMs).toBe(40);
});

test("the virtual time limit fails with its seed", async () => {
  const run = await fails(() => sleep(5000), { limitMs: 2000 });
  expect(run.printed).toContain("virtual time limit of 2s exceeded");
});

test("the wall-clock limit fails with its seed in simulated mode", async () => {
  // Virtual time races ahead without bound; only the wall limit can end this test.
  const run = await fails(
    async () => {
      for (;;) await sleep(1000);
    },
    { wallLimitMs: 50, limitMs: Number.POSITIVE_INFINITY },
  );
  expect(run.failure).toBeInstanceOf(WallLimitExceeded);
  expect(run.printed).toMatch(/wall-clock limit of 0\.05 s \(at virtual \d+\.\d{3} s\)/);
  expect(run.result.virtualMs).toBeGreaterThan(0);
});

test("the wall-clock limit fails with its seed in real time", async () => {
  const run = await fails(() => sleep(60_000), { wallLimitMs: 50, realtime: true });
  expect(run.failure).toBeInstanceOf(WallLimitExceeded);
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
  expect(run.printed).toContain("uncaught error in a detached task: raft ticker crashed");
  expect(run.result.virtualMs).toBe(30);
});

test("an error thrown by a timer callback fails the test with its seed", async () => {
  const run = await fails(async () => {
    after(20, () => {
      throw new Error("heartbeat timer crashed");
    });
    await sleep(60_000);
  });
  expect(run.printed).toContain("heartbeat timer crashed");
});
