// The schedule search: schedules are values of their seed, runs replay exactly, faults
// compose as the driver says, shrinking finds a 1-minimal subset, the liveness rule sees
// only clean majorities, and every bad input (an unknown part, a budget that is not a
// positive number, a bad KEEP, a malformed regression line) gets a clear error.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { describe, expect, test } from "vitest";
import { Network, Server, Service } from "../../labrpc/index.js";
import { JUNK_METHODS, JunkServer } from "../../labrpc/junk-server.js";
import { makePersister } from "../../raft/persister.js";
import { now, sleep } from "../../runtime/index.js";
import { runWorld, world } from "../../runtime/world.js";
import { runGraded } from "../harness/run-graded.js";
import { findPart, studentFilesIn } from "../labs.js";
import { hasMarkers } from "../solution-markers.js";
import { huntBody } from "./bodies.js";
import { parseCases } from "./cases-env.js";
import { FaultDriver, leadersBy, type FaultTarget } from "./fault-driver.js";
import { checkBudget, hunt, huntReplayCommand } from "./hunt.js";
import { huntSettingsFromEnv } from "./hunt-env.js";
import {
  cleanMajority,
  deafPeers,
  ElectionWatch,
  LEADER_BOUND_MS,
  LogBounds,
  posAtMost,
  SETTLE_MS,
  starsOf,
  StarWatch,
  TERM_BOUND_MS,
  TermWatch,
  type ClusterView,
  type LogPos,
  type StarView,
} from "./liveness.js";
import { HUNT_PARTS, HuntError, huntPart, huntTestName } from "./parts.js";
import { parseRegressions, regressionLine } from "./regressions.js";
import { drawSchedule, formatSchedule, HUNT_STREAM, MAX_BURST, parseKeep, scheduleHash, scheduleOf, selectFaults, STALL_VOTE_WAIT_MS, type Fault } from "./schedule.js";
import { parseReplayTarget } from "./replay-cli.js";
import { shrinkFaults, type Verdict } from "./shrink.js";

const ROOT = path.resolve(import.meta.dirname, "../..");

describe("schedules", () => {
  test("a seed's schedule is a value: drawn the same inside a world and out, every time", async () => {
    for (const part of HUNT_PARTS) {
      for (const seed of [1, 2, 77, 123456789]) {
        const s = scheduleOf(part, seed);
        expect(scheduleOf(part, seed)).toEqual(s);
        const inWorld = await runWorld({ seed }, async () => drawSchedule(part, seed, world().rand(HUNT_STREAM)));
        expect(inWorld).toEqual(s);
        expect(scheduleHash(s)).toMatch(/^[0-9a-f]{8}$/);
      }
    }
    expect(scheduleHash(scheduleOf(huntPart("2C"), 1))).not.toBe(scheduleHash(scheduleOf(huntPart("2C"), 2)));
  });

  test("faults are the part's kinds, in time order, inside the fault phase, aimed at real peers", () => {
    for (const part of HUNT_PARTS) {
      for (let seed = 1; seed <= 200; seed++) {
        const s = scheduleOf(part, seed);
        expect(part.peers).toContain(s.peers);
        expect(s.targets).toBe(s.peers * part.groups);
        expect(s.faults.length).toBeGreaterThan(0);
        // Nothing paces Start() but the tester's gaps: a correct Raft must be able to keep up.
        if (part.lab === "raft") expect(s.workload.gapMs[0]).toBeGreaterThanOrEqual(10);
        let at = 0;
        for (const f of s.faults) {
          expect(part.kinds).toContain(f.kind);
          expect(f.at).toBeGreaterThanOrEqual(at);
          expect(f.at).toBeLessThan(s.phaseMs);
          expect(f.ms).toBeGreaterThan(0);
          at = f.at;
          const peers = "peer" in f ? [f.peer] : "from" in f ? [f.from, ...(f.to === "all" ? [] : [f.to])] : "side" in f ? f.side : [];
          for (const p of peers) expect(p >= 0 && p < s.targets).toBe(true);
          if ("from" in f) expect(f.from).not.toBe(f.to);
          if (f.kind === "partition") expect(f.side.length > 0 && f.side.length < s.targets).toBe(true);
          if (f.kind === "one-way") {
            if (f.side !== null) expect(f.side.length > 0 && f.side.length < s.targets).toBe(true);
            expect(f.bothMs >= 0 && f.bothMs < f.ms).toBe(true);
          }
          if (f.kind === "depose" || f.kind === "stagger") {
            expect([...f.order].sort((a, b) => a - b)).toEqual(Array.from({ length: s.targets }, (_, i) => i));
            expect(f.held >= 1 && f.held < s.targets).toBe(true);
            expect(f.burst === 0 || (f.burst >= 2 && f.burst <= MAX_BURST)).toBe(true);
          }
          // A stagger window lasts until its last peer's replies are released.
          if (f.kind === "stagger") expect(f.ms).toBeGreaterThan(f.holdMs + f.gapMs * (f.held - 1));
          // A stall holds past a CheckQuorum and an election timeout, releases within a lossy
          // network's delay (or after a vote), and lasts past its last release.
          if (f.kind === "stall") {
            expect([...f.order].sort((a, b) => a - b)).toEqual(Array.from({ length: s.targets }, (_, i) => i));
            expect(f.holdMs >= 1500 && f.holdMs <= 6000).toBe(true);
            expect(f.gapMs >= 0 && f.gapMs <= 27).toBe(true);
            if (f.afterVote) expect(f.gapMs).toBe(0);
            expect(f.ms).toBeGreaterThan(f.holdMs + (f.afterVote ? STALL_VOTE_WAIT_MS : f.gapMs * (s.targets - 1)));
          }
        }
      }
    }
  });

  test("the schedule prints one line per fault; KEEP prints only those", () => {
    const s = scheduleOf(huntPart("2C"), 35);
    const all = formatSchedule(s);
    expect(all).toHaveLength(s.faults.length + 1);
    expect(all[0]).toContain(`seed 35 (2C, hash ${scheduleHash(s)})`);
    const some = formatSchedule(s, [0, 2]);
    expect(some).toHaveLength(3);
    expect(some[1]).toMatch(/^ {2}#0 /);
    expect(some[2]).toMatch(/^ {2}#2 /);
  });

  test("KEEP: distinct fault numbers or none; a number the schedule lacks is a clear error", () => {
    expect(parseKeep("3,1, 7")).toEqual([1, 3, 7]);
    expect(parseKeep("none")).toEqual([]);
    expect(() => parseKeep("1,x")).toThrow(/KEEP="1,x": want fault numbers separated by commas/);
    expect(() => parseKeep("2,2")).toThrow(/fault 2 is named twice/);
    expect(() => parseKeep("-1")).toThrow(HuntError);
    const s = scheduleOf(huntPart("2B"), 5);
    expect(selectFaults(s, [0]).map((f) => f.index)).toEqual([0]);
    expect(() => selectFaults(s, [s.faults.length])).toThrow(new RegExp(`has ${s.faults.length} faults, #0 to #${s.faults.length - 1}; no #${s.faults.length}`));
  });
});

describe("bad input", () => {
  test("an unknown part names the parts there are", () => {
    expect(() => huntPart("9Z")).toThrow(/unknown part "9Z" for the schedule search; parts: 2A 2B 2C 2D 3A 3B 4A 4B/);
    expect(() => huntPart("mr")).toThrow(HuntError);
    expect(huntPart("2c").id).toBe("2C");
  });

  test("a budget must be a positive number of seconds or a positive whole number of runs", () => {
    const env = (e: Record<string, string>) => huntSettingsFromEnv(e);
    expect(env({}).budget).toEqual({ seconds: 60 });
    expect(env({ TIME: "0.5" }).budget).toEqual({ seconds: 0.5 });
    expect(env({ RUNS: "30" }).budget).toEqual({ runs: 30 });
    expect(env({ TIME: "10", RUNS: "3" }).budget).toEqual({ seconds: 10, runs: 3 });
    for (const t of ["0", "-5", "abc", "1e3", "60s", "Infinity", "0.0"]) {
      expect(() => env({ TIME: t }), t).toThrow(new RegExp(`TIME="${t}": the budget must be a positive number of seconds`));
    }
    for (const r of ["0", "2.5", "x", "-1"]) {
      expect(() => env({ RUNS: r }), r).toThrow(new RegExp(`RUNS="${r.replace(".", "\\.")}": the budget must be a positive whole number of runs`));
    }
    expect(() => env({ SEED: "0" })).toThrow(/SEED=0: a hunt's seeds start at 1/);
    expect(() => env({ SEED: "x" })).toThrow(/SEED="x"/);
    expect(() => env({ PARALLEL: "0" })).toThrow(/PARALLEL="0"/);
    expect(() => env({ KEEP: "a" })).toThrow(/KEEP="a"/);
    expect(() => env({ SHRINK: "yes" })).toThrow(/SHRINK="yes": must be 1/);
    expect(env({ KEEP: "2,1" })).toMatchObject({ keep: [1, 2], shrink: false });
    expect(env({ VIS: "off" }).timeline).toBe(false);
    expect(() => checkBudget({})).toThrow(/needs a budget/);
    expect(() => checkBudget({ seconds: Number.NaN })).toThrow(/TIME=NaN/);
    expect(() => checkBudget({ runs: 1.5 })).toThrow(/RUNS=1.5/);
  });

  test("hunt() refuses bad input before starting any worker", async () => {
    await expect(hunt("9Z", { runs: 1 })).rejects.toThrow(/unknown part "9Z"/);
    await expect(hunt("2C", { seconds: -1 })).rejects.toThrow(/TIME=-1: the budget in seconds must be a positive number/);
    await expect(hunt("2C", { runs: 0 })).rejects.toThrow(/RUNS=0/);
    await expect(hunt("2C", { runs: 1 }, { seed: 0 })).rejects.toThrow(/SEED=0/);
    await expect(hunt("2C", { runs: 1 }, { workers: 0 })).rejects.toThrow(/PARALLEL=0/);
    await expect(hunt("2C", { runs: 1 }, { seed: 5, keep: [99] })).rejects.toThrow(/KEEP=99: seed 5's schedule/);
  });

  test("the workers' case list must be well-formed", () => {
    expect(parseCases('[{"name":"Hunt2C","part":"2C"},{"name":"Hunt2C/keep=1","part":"2C","keep":[1]}]')).toHaveLength(2);
    expect(() => parseCases(undefined)).toThrow(/LABS_HUNT_CASES is not set/);
    expect(() => parseCases("{")).toThrow(/LABS_HUNT_CASES is not JSON/);
    expect(() => parseCases('[{"name":"x"}]')).toThrow(/not a list of \{ name, part, keep\? \}/);
  });

  test("the regression list: good lines parse, and a malformed line is an error naming file:line", () => {
    const s = scheduleOf(huntPart("2C"), 35);
    const text = [
      "# a comment",
      "",
      "2C 35  # all faults",
      `2c 35 keep=0,2 hash=${scheduleHash(s)}  # shrunk`,
      "3A 7 keep=none",
    ].join("\n");
    expect(parseRegressions(text, "r.txt")).toEqual([
      { part: "2C", seed: 35, comment: "all faults", line: 3 },
      { part: "2C", seed: 35, keep: [0, 2], hash: scheduleHash(s), comment: "shrunk", line: 4 },
      { part: "3A", seed: 7, keep: [], comment: "", line: 5 },
    ]);
    const bad: Array<[string, RegExp]> = [
      ["9Z 1", /^r\.txt:2: unknown part "9Z"/],
      ["2C", /^r\.txt:2: want "<part> <seed>/],
      ["2C 0", /^r\.txt:2: the seed must be a whole number from 1, got "0"/],
      ["2C 1.5", /^r\.txt:2: the seed must be a whole number/],
      ["2C 5 kep=1", /^r\.txt:2: unknown field "kep=1"/],
      ["2C 5 hash=xyz", /^r\.txt:2: hash= wants 8 hex digits/],
      ["2C 5 keep=", /^r\.txt:2: keep= is empty/],
      ["2C 5 keep=1 keep=2", /^r\.txt:2: keep= is given twice/],
      ["2C 5 keep=999", /^r\.txt:2: KEEP=999: seed 5's schedule/],
      ["2C 35", /^r\.txt:2: the same run as line 1/],
    ];
    for (const [line, msg] of bad) expect(() => parseRegressions(`2C 35\n${line}`, "r.txt"), line).toThrow(msg);
    expect(regressionLine("2C", 35, [0, 2], s, "why")).toBe(`2C 35 keep=0,2 hash=${scheduleHash(s)}  # why`);
    expect(huntReplayCommand("2C", 35, [0, 2])).toBe("make hunt-2C SEED=35 RUNS=1 KEEP=0,2");
    expect(huntReplayCommand("2C", 35)).toBe("make hunt-2C SEED=35 RUNS=1");
  });

  test("make hunt-XX's command line: a bad part or budget exits 2 with the error", async () => {
    const cli = (args: string[], env: Record<string, string> = {}) =>
      execa("node_modules/.bin/tsx", ["labs-test/hunt/hunt-cli.ts", ...args], { cwd: ROOT, env: { FORCE_COLOR: "0", ...env }, reject: false, all: true });
    const a = await cli(["9Z"]);
    expect(a.exitCode).toBe(2);
    expect(a.all).toContain('error: unknown part "9Z" for the schedule search');
    const b = await cli(["2C"], { TIME: "soon" });
    expect(b.exitCode).toBe(2);
    expect(b.all).toContain('error: TIME="soon": the budget must be a positive number of seconds');
    const c = await cli([]);
    expect(c.exitCode).toBe(2);
    expect(c.all).toMatch(/usage: hunt-cli\.ts <part>; parts: 2A/);
  }, 60_000);

  test("the replay tool's PART:SEED: a bad part, seed or shape is a clear error; no argument exits 2 with its usage", async () => {
    expect(parseReplayTarget(" 2c:377 ")).toMatchObject({ part: { id: "2C" }, seed: 377 });
    expect(() => parseReplayTarget("9Z:3")).toThrow('unknown part "9Z" for the schedule search');
    for (const bad of ["2C:0", "2C", "2C:abc", "2C:-4", "2C:3:4", ":3"]) {
      expect(() => parseReplayTarget(bad), bad).toThrow(`${JSON.stringify(bad)}: want PART:SEED with a seed of 1 or more, like 2C:377`);
    }
    const r = await execa("node_modules/.bin/tsx", ["labs-test/hunt/replay-cli.ts"], { cwd: ROOT, env: { FORCE_COLOR: "0" }, reject: false, all: true });
    expect([r.exitCode, r.all]).toEqual([2, "error: usage: tsx labs-test/hunt/replay-cli.ts PART:SEED... (like 2C:377 2D:4849)"]);
  }, 60_000);
});

describe("shrinking", () => {
  /** A runner whose runs fail exactly when every fault of need is kept. */
  const oracle = (need: number[]) => {
    const asked: number[][] = [];
    const run = async (cs: number[][]): Promise<Verdict[]> =>
      cs.map((c) => {
        asked.push(c);
        return need.every((n) => c.includes(n)) ? { failed: true, error: `needs ${need.join(",")}` } : { failed: false };
      });
    return { run, asked };
  };

  test("it finds the faults the failure needs, and no others", async () => {
    for (const need of [[5], [2, 9], [0, 1, 2], [3, 4, 11, 12], [13]]) {
      const { run } = oracle(need);
      const r = await shrinkFaults([...Array(14).keys()], "boom", run, () => false);
      expect(r.keep, need.join(",")).toEqual(need);
      expect(r.minimal).toBe(true);
      expect(r.error).toBe(`needs ${need.join(",")}`);
    }
  });

  test("a failure without any fault shrinks to none in one round; a budget stops it early", async () => {
    const none = await shrinkFaults([1, 2, 3], "boom", async (cs) => cs.map(() => ({ failed: true, error: "always" })), () => false);
    expect(none).toMatchObject({ keep: [], rounds: 1, runs: 1, minimal: true });
    const { run } = oracle([1]);
    const cut = await shrinkFaults([0, 1, 2, 3], "boom", run, () => true);
    expect(cut).toMatchObject({ keep: [0, 1, 2, 3], error: "boom", rounds: 0, minimal: false });
  });
});

describe("the liveness rule", () => {
  const view = (n: number, down: number[], cut: Array<[number, number]>, modes = false): ClusterView => ({
    size: n,
    running: (p) => !down.includes(p),
    linkUp: (p, q) => !down.includes(p) && !down.includes(q) && !cut.some(([a, b]) => a === p && b === q),
    modesOn: () => modes,
  });
  const both = (a: number, b: number): Array<[number, number]> => [
    [a, b],
    [b, a],
  ];

  test("a clean majority: running, fully connected, every other running peer cut off from it, no network mode", () => {
    expect(cleanMajority(view(5, [], []))).toEqual([0, 1, 2, 3, 4]);
    expect(cleanMajority(view(5, [3, 4], []))).toEqual([0, 1, 2]);
    expect(cleanMajority(view(5, [], [], true))).toBeUndefined();
    // Peer 4 cut off from everyone: the rest are clean.
    const iso = [0, 1, 2, 3].flatMap((p) => both(p, 4));
    expect(cleanMajority(view(5, [], iso))).toEqual([0, 1, 2, 3]);
    // A one-way cut inside, or a peer outside that still reaches in: not clean.
    expect(cleanMajority(view(3, [], [[0, 1]]))).toBeUndefined();
    expect(cleanMajority(view(5, [3], [...both(0, 4), ...both(1, 4)]))).toBeUndefined();
    // Two peers of three down: no majority.
    expect(cleanMajority(view(3, [1, 2], []))).toBeUndefined();
  });

  test("the watch fails only after the bound with the same clean majority and no leader, and restarts when it changes", () => {
    const w = new ElectionWatch();
    w.changed(0, [0, 1, 2]);
    expect(w.observe(LEADER_BOUND_MS - 1, () => false)).toBeUndefined();
    // Another clean majority at 3 s restarts the clock; the same one again does not.
    w.changed(3000, [0, 1, 2, 3]);
    w.changed(4000, [0, 1, 2, 3]);
    expect(w.observe(3000 + LEADER_BOUND_MS - 1, () => false)).toBeUndefined();
    expect(w.observe(3000 + LEADER_BOUND_MS, () => false)).toMatch(/no leader among peers \{0,1,2,3\} for 5\.0 s/);
    expect(w.observe(3000 + LEADER_BOUND_MS, (p) => p === 1)).toBeUndefined();
    // A leader restarts it too.
    expect(w.observe(3000 + 2 * LEADER_BOUND_MS - 1, () => false)).toBeUndefined();
    // No clean majority: nothing to watch.
    w.changed(20_000, undefined);
    expect(w.observe(99_999, () => false)).toBeUndefined();
    expect(leadersBy(4, (p) => [{ term: 2, isLeader: true }, undefined, { term: 5, isLeader: true }, { term: 9, isLeader: false }][p])).toEqual([2, 0]);
  });
});

describe("the term rule for a peer that hears nobody", () => {
  const view = (n: number, cut: Array<[number, number]>, down: number[] = [], modes = false): ClusterView => ({
    size: n,
    running: (p) => !down.includes(p),
    linkUp: (p, q) => !down.includes(p) && !down.includes(q) && !cut.some(([a, b]) => a === p && b === q),
    modesOn: () => modes,
  });
  const into = (c: number, n: number): Array<[number, number]> => Array.from({ length: n }, (_, q) => q).filter((q) => q !== c).map((q): [number, number] => [q, c]);

  test("deaf: every running peer's calls to it cut, its own calls through to some; none while a network mode is on", () => {
    expect(deafPeers(view(3, []))).toEqual([]);
    expect(deafPeers(view(3, into(0, 3)))).toEqual([{ peer: 0, reaches: [1, 2] }]);
    expect(deafPeers(view(3, [...into(0, 3), [0, 2]]))).toEqual([{ peer: 0, reaches: [1] }]);
    // Cut off both ways: it reaches nobody, so nothing is asked of it.
    expect(deafPeers(view(3, [...into(0, 3), [0, 1], [0, 2]]))).toEqual([]);
    // Peer 2 is down: 1's calls alone are cut, and 0 hears nobody running.
    expect(deafPeers(view(3, [[1, 0]], [2]))).toEqual([{ peer: 0, reaches: [1] }]);
    expect(deafPeers(view(3, into(0, 3), [], true))).toEqual([]);
  });

  test("the watch fails a deaf peer still below a reached peer's term after the bound, and only then", () => {
    const terms = [3, 5, 5];
    const term = (p: number) => terms[p];
    const w = new TermWatch();
    w.changed(1000, view(3, into(0, 3)), term);
    expect(w.observe(1000 + TERM_BOUND_MS - 1, term)).toBeUndefined();
    expect(w.observe(1000 + TERM_BOUND_MS, term)).toMatch(/peer 0 has heard no peer for 5\.0 s while its calls to peer 1 \(in term 5 or later for 5\.0 s\).*still in term 3/);
    // Having taken the term, it passes; a later term of the others does not move the bar.
    terms[0] = 5;
    terms[1] = 9;
    expect(w.observe(1000 + TERM_BOUND_MS, term)).toBeUndefined();
    // A change that keeps the same deaf peer and links keeps the clock; one that ends it resets it.
    terms[0] = 3;
    w.changed(3000, view(3, into(0, 3)), term);
    expect(w.observe(1000 + TERM_BOUND_MS, term)).toMatch(/still in term 3/);
    w.changed(3000, view(3, []), term);
    expect(w.observe(99_999, term)).toBeUndefined();
    w.changed(4000, view(3, into(0, 3)), term);
    expect(w.observe(4000 + TERM_BOUND_MS - 1, term)).toBeUndefined();
    expect(w.observe(4000 + TERM_BOUND_MS, term)).toMatch(/in term 9 or later/);
    // The bar follows the reached peer's term, TERM_BOUND_MS behind.
    const later = [5, 5, 5];
    const lterm = (p: number) => later[p];
    const x = new TermWatch();
    x.changed(0, view(3, into(0, 3)), lterm);
    expect(x.observe(1000, lterm)).toBeUndefined();
    later[1] = 8;
    expect(x.observe(2000, lterm)).toBeUndefined();
    expect(x.observe(2000 + TERM_BOUND_MS - 1, lterm)).toBeUndefined();
    expect(x.observe(2000 + TERM_BOUND_MS, lterm)).toMatch(/calls to peer 1 \(in term 8 or later for 5\.0 s\).*still in term 5/);
  });
  test("once settled, a deaf peer may stand in one term below the others' before it takes theirs, not two", () => {
    const v = view(3, into(0, 3));
    const run = (steps: number[]): string | undefined => {
      const terms = [3, 9, 9];
      const term = (p: number) => terms[p];
      const w = new TermWatch();
      w.changed(0, v, term);
      expect(w.observe(SETTLE_MS - 1, term)).toBeUndefined();
      expect(w.observe(SETTLE_MS, term)).toBeUndefined(); // settles: its term 3, theirs 9
      let t = SETTLE_MS;
      for (const x of steps) {
        terms[0] = x;
        const r = w.observe(++t, term);
        if (r !== undefined) return r;
      }
      return undefined;
    };
    expect(run([4, 9, 10])).toBeUndefined();
    expect(run([4, 4, 5])).toMatch(/peer 0, hearing no peer while its calls to peers 1,2 \(in term 9 or later\).*stood in terms 4 and 5/);
    // Before it settles (a change of the driver's state restarts the wait), nothing counts.
    const terms = [3, 9, 9];
    const term = (p: number) => terms[p];
    const w = new TermWatch();
    w.changed(0, v, term);
    terms[0] = 4;
    expect(w.observe(SETTLE_MS - 1, term)).toBeUndefined();
    w.changed(SETTLE_MS - 1, v, term);
    terms[0] = 5;
    expect(w.observe(2 * SETTLE_MS - 2, term)).toBeUndefined();
    expect(w.observe(2 * SETTLE_MS - 1, term)).toBeUndefined(); // settles now, from term 5: 4 and 5 were before
  });
});

describe("elections through one up-to-date peer", () => {
  /** 5 peers: 3 and 4 cut off from everyone; 1 and 2 reach 0 alone (not each other). */
  const cut = (p: number, q: number): boolean => p === 3 || p === 4 || q === 3 || q === 4 || (p === 1 && q === 2) || (p === 2 && q === 1);
  const star = (bound: LogPos[], applied: LogPos[], modes = false): StarView => ({
    size: 5,
    running: () => true,
    linkUp: (p, q) => !cut(p, q),
    modesOn: () => modes,
    bound: (p) => bound[p]!,
    applied: (p) => applied[p]!,
  });
  const stale: LogPos[] = [[2, 9], [1, 14], [2, 7], [3, 30], [3, 30]];
  const fresh: LogPos[] = [[2, 9], [0, 0], [0, 0], [0, 0], [0, 0]];

  test("log positions compare term first, then index", () => {
    expect(posAtMost([1, 50], [2, 1])).toBe(true);
    expect(posAtMost([2, 3], [2, 3])).toBe(true);
    expect(posAtMost([2, 4], [2, 3])).toBe(false);
  });

  test("a star: the hub reaches every member both ways, the rest cut off, and its applied entry is no earlier than any member's bound", () => {
    expect(starsOf(star(stale, fresh))).toEqual([{ hub: 0, members: [0, 1, 2] }]);
    // A member that may hold a later entry than the hub applied: no obligation.
    expect(starsOf(star([[2, 9], [2, 10], [2, 7], [3, 30], [3, 30]], fresh))).toEqual([]);
    // A network mode on, or a peer outside that still reaches a member: none either.
    expect(starsOf(star(stale, fresh, true))).toEqual([]);
    const leaky: StarView = { ...star(stale, fresh), linkUp: (p, q) => !cut(p, q) || (p === 3 && q === 1) };
    expect(starsOf(leaky)).toEqual([]);
  });

  test("the watch fails after the bound without a leader among the members, restarts when one leads", () => {
    const v = star(stale, fresh);
    const w = new StarWatch();
    w.update(1000, v);
    expect(w.observe(1000 + LEADER_BOUND_MS - 1, v)).toBeUndefined();
    w.led(2, 3000);
    w.update(3000, v);
    expect(w.observe(3000, v)).toBeUndefined();
    expect(w.observe(3000 + LEADER_BOUND_MS - 1, v)).toBeUndefined();
    expect(w.observe(3000 + LEADER_BOUND_MS, v)).toMatch(/no leader among peers \{0,1,2\} for 5\.0 s.*peer 0 reaches each of them/);
    // The star gone: nothing to watch.
    w.update(9000, star(stale, fresh, true));
    expect(w.observe(99_000, v)).toBeUndefined();
  });

  test("log bounds: a peer's rises with the Start()s it accepts, and a leader's spreads over the links that may carry it", () => {
    const b = new LogBounds(3);
    b.started(0, 1, 1);
    b.started(0, 1, 2);
    b.spread([0], (p, q) => p === 0 && q === 1);
    expect([b.of(0), b.of(1), b.of(2)]).toEqual([[1, 2], [1, 2], [0, 0]]);
    // Only leaders send entries; a leader's chain reaches further in one spread.
    b.started(2, 2, 3);
    b.spread([1], () => true);
    expect(b.of(2)).toEqual([2, 3]);
    b.spread([2, 1], (p, q) => (p === 2 && q === 1) || (p === 1 && q === 0));
    expect([b.of(0), b.of(1)]).toEqual([[2, 3], [2, 3]]);
  });
});

describe("the fault driver", () => {
  /** A target that records what the driver did. */
  function fake(n: number): { target: FaultTarget; log: string[]; up: boolean[] } {
    const log: string[] = [];
    const up = new Array<boolean>(n).fill(true);
    const net = new Network();
    const target: FaultTarget = {
      size: n,
      net,
      directedLinks: true,
      running: (p) => up[p]!,
      crash: (p) => {
        up[p] = false;
        log.push(`${now()} crash ${p}`);
      },
      restart: (p) => {
        up[p] = true;
        log.push(`${now()} restart ${p}`);
      },
      setLink: (a, b, on) => {
        if (a === 0 && b === 1) log.push(`${now()} link 0->1 ${on ? "up" : "down"}`);
      },
      persister: () => makePersister(),
      leaders: () => [2],
      fail: (e) => {
        throw e;
      },
    };
    return { target, log, up };
  }

  test("overlapping faults compose: a link is down while any cut holds it, a peer down while any crash does", async () => {
    await runWorld({ seed: 1 }, async (w) => {
      const { target, log } = fake(3);
      const faults: Fault[] = [
        { kind: "cut", at: 100, ms: 300, from: 0, leader: false, to: 1 },
        { kind: "cut", at: 200, ms: 300, from: 0, leader: false, to: "all" },
        { kind: "crash", at: 100, ms: 200, peer: 1, leader: true },
        { kind: "crash", at: 150, ms: 300, peer: 2, leader: false },
      ];
      const d = new FaultDriver(target, faults.map((fault, index) => ({ index, fault })), (name) => w.rand(name));
      d.start();
      await sleep(1000);
      const links = log.filter((l) => l.includes("link"));
      expect(links[0]).toBe("100 link 0->1 down");
      expect(links.filter((l) => l.endsWith("up")).at(-1)).toBe("500 link 0->1 up");
      expect(links.some((l) => /^(4\d\d) link 0->1 up$/.test(l))).toBe(false);
      // The crash aimed at the leader took peer 2 (the fake's leader); so did the second one.
      expect(log.filter((l) => /crash|restart/.test(l))).toEqual(["100 crash 2", "450 restart 2"]);
    });
  });

  test("one-way: both directions cut for bothMs, then only the chosen one, all up when the window ends", async () => {
    await runWorld({ seed: 1 }, async (w) => {
      const { target } = fake(3);
      const d = new FaultDriver(
        target,
        [{ index: 0, fault: { kind: "one-way", at: 100, ms: 1000, side: null, peer: 0, leader: false, deaf: true, bothMs: 300 } }],
        (name) => w.rand(name),
      );
      d.start();
      await sleep(200);
      expect([d.linkUp(0, 1), d.linkUp(1, 0), d.linkUp(2, 0), d.linkUp(1, 2)]).toEqual([false, false, false, true]);
      await sleep(300);
      // Deaf: the others' calls to 0 still fail, its own get through.
      expect([d.linkUp(0, 1), d.linkUp(0, 2), d.linkUp(1, 0), d.linkUp(2, 0)]).toEqual([true, true, false, false]);
      expect(deafPeers(d)).toEqual([{ peer: 0, reaches: [1, 2] }]);
      await sleep(700);
      expect([d.linkUp(0, 1), d.linkUp(1, 0)]).toEqual([true, true]);
      // A side that reaches nobody, aimed at the leader (the fake's is peer 2), from the start.
      const e = new FaultDriver(
        target,
        [{ index: 0, fault: { kind: "one-way", at: 0, ms: 500, side: null, peer: 0, leader: true, deaf: false, bothMs: 0 } }],
        (name) => w.rand(name),
      );
      e.start();
      await sleep(10);
      expect([e.linkUp(2, 0), e.linkUp(2, 1), e.linkUp(0, 2), e.linkUp(1, 2)]).toEqual([false, false, true, true]);
      e.heal();
      expect(e.linkUp(2, 0)).toBe(true);
    });
  });

  test("stale-rejoin: the stale peers cut off from all, then reaching one other follower alone; the leader is never picked", async () => {
    await runWorld({ seed: 1 }, async (w) => {
      const { target } = fake(5);
      const d = new FaultDriver(
        target,
        [{ index: 0, fault: { kind: "stale-rejoin", at: 100, ms: 2000, lagMs: 500, stale: 2, order: [2, 4, 0, 1, 3] } }],
        (name) => w.rand(name),
      );
      d.start();
      await sleep(200);
      // The fake's leader is peer 2: stale {4,0}, back through 1.
      expect([d.linkUp(4, 1), d.linkUp(1, 4), d.linkUp(0, 3), d.linkUp(1, 2), d.linkUp(2, 3)]).toEqual([false, false, false, true, true]);
      expect(d.mayReach(2, 4)).toBe(false);
      await sleep(500);
      expect([d.linkUp(4, 1), d.linkUp(1, 4), d.linkUp(0, 1), d.linkUp(1, 0)]).toEqual([true, true, true, true]);
      expect([d.linkUp(4, 0), d.linkUp(0, 4), d.linkUp(2, 1), d.linkUp(1, 3), d.linkUp(0, 2), d.linkUp(2, 3)]).toEqual([false, false, false, false, false, true]);
      await sleep(1500);
      expect([d.linkUp(4, 0), d.linkUp(2, 1)]).toEqual([true, true]);
    });
  });

  test("depose: the leader's replies held, it is cut off until another leads, steered back, the replies released peer by peer, then it is cut off again", async () => {
    await runWorld({ seed: 1 }, async (w) => {
      const { target } = fake(5);
      for (let a = 0; a < 5; a++) for (let b = 0; b < 5; b++) if (a !== b) target.net.makeEnd(`e${a}${b}`);
      let leading = [2];
      const d = new FaultDriver(
        { ...target, endName: (a, b) => `e${a}${b}`, leaders: () => leading },
        [
          {
            index: 0,
            fault: {
              kind: "depose", at: 0, ms: 20000, peer: 0, order: [2, 4, 0, 1, 3], held: 2, holdMs: 100, depose: true, holdLagMs: 0, side: 1, lingerMs: 50,
              deaf: false, steer: true, leadMs: 0, releaseMs: 100, gapMs: 200, newestFirst: false, quiet: true, exposeMs: 100, burst: 0,
            },
          },
        ],
        (name) => w.rand(name),
      );
      d.start();
      await sleep(50);
      expect([d.linkUp(2, 4), d.linkUp(2, 1)]).toEqual([true, true]);
      await sleep(100);
      // Leader 2: from 100 ms on, the replies from 4 and 0 (the first two others in order) are held,
      // and 2 and 4 are cut off both ways from 0, 1, 3 until one of those leads.
      expect([d.linkUp(2, 4), d.linkUp(2, 0), d.mayReach(2, 4), d.mayReach(2, 0)]).toEqual([false, false, true, true]);
      expect([d.linkUp(2, 1), d.linkUp(1, 2), d.linkUp(4, 3), d.linkUp(0, 1)]).toEqual([false, false, false, true]);
      leading = [1];
      await sleep(100);
      // 2 back 50 ms after 1 leads, 4 cut off from all; 1 is steered off at once.
      expect([d.linkUp(2, 3), d.linkUp(1, 0), d.linkUp(0, 1), d.linkUp(2, 4), d.linkUp(4, 2), d.linkUp(0, 4)]).toEqual([true, false, false, false, false, false]);
      leading = [3];
      await sleep(100);
      expect([d.linkUp(3, 0), d.linkUp(0, 2)]).toEqual([false, true]);
      leading = [2, 3];
      await sleep(150);
      // 2 leads again: 100 ms on, the steered-off peers rejoin, and 4's replies arrive with 4; 0's 200 ms later.
      expect([d.linkUp(1, 0), d.linkUp(3, 0), d.linkUp(2, 4), d.linkUp(4, 1), d.linkUp(2, 0)]).toEqual([true, true, true, true, false]);
      await sleep(200);
      expect([d.linkUp(2, 0), d.linkUp(2, 1)]).toEqual([true, true]);
      await sleep(110);
      // 100 ms after the last release, 2 is cut off for the rest of the window; the workload pauses from that release on.
      expect([d.linkUp(2, 1), d.linkUp(1, 2), d.linkUp(0, 1), d.quiet]).toEqual([false, false, true, true]);
      d.heal();
      expect(d.quiet).toBe(false);
      expect([d.linkUp(2, 1), d.linkUp(1, 2)]).toEqual([true, true]);
      target.net.cleanup();
    });
  });

  test("depose with a lag: the holds start holdLagMs into the cut, or when the leader comes back if that is sooner", async () => {
    await runWorld({ seed: 1 }, async (w) => {
      const { target } = fake(5);
      for (let a = 0; a < 5; a++) for (let b = 0; b < 5; b++) if (a !== b) target.net.makeEnd(`e${a}${b}`);
      const f: Fault = {
        kind: "depose", at: 0, ms: 5000, peer: 0, order: [2, 4, 0, 1, 3], held: 2, holdMs: 100, depose: true, holdLagMs: 300, side: 1, lingerMs: 0,
        deaf: false, steer: false, leadMs: 0, releaseMs: 3000, gapMs: 0, newestFirst: false, quiet: false, exposeMs: null, burst: 0,
      };
      const d = new FaultDriver({ ...target, endName: (a, b) => `e${a}${b}`, leaders: () => [2] }, [{ index: 0, fault: f }], (name) => w.rand(name));
      d.start();
      await sleep(150);
      // Cut off with 4, the replies from 4 and 0 not held yet: 2 hears 4 as before.
      expect([d.linkUp(2, 4), d.linkUp(4, 2), d.linkUp(2, 1), d.linkUp(2, 0)]).toEqual([true, true, false, false]);
      await sleep(300);
      expect([d.linkUp(2, 4), d.mayReach(2, 4), d.linkUp(2, 1)]).toEqual([false, true, false]);
      d.heal();
      target.net.cleanup();
    });
    await runWorld({ seed: 1 }, async (w) => {
      const { target } = fake(5);
      for (let a = 0; a < 5; a++) for (let b = 0; b < 5; b++) if (a !== b) target.net.makeEnd(`e${a}${b}`);
      let leading = [2];
      const f: Fault = {
        kind: "depose", at: 0, ms: 5000, peer: 0, order: [2, 4, 0, 1, 3], held: 2, holdMs: 100, depose: true, holdLagMs: 1000, side: 1, lingerMs: 0,
        deaf: false, steer: false, leadMs: 0, releaseMs: 3000, gapMs: 0, newestFirst: false, quiet: false, exposeMs: null, burst: 0,
      };
      const d = new FaultDriver({ ...target, endName: (a, b) => `e${a}${b}`, leaders: () => leading }, [{ index: 0, fault: f }], (name) => w.rand(name));
      d.start();
      await sleep(150);
      expect(d.linkUp(2, 4)).toBe(true);
      // Another leads 200 ms into the cut: 2 is back at once, and its holds start then, before the lag is up.
      leading = [1];
      await sleep(100);
      expect([d.linkUp(2, 1), d.linkUp(2, 4), d.linkUp(2, 0), d.linkUp(4, 1)]).toEqual([true, false, false, false]);
      d.heal();
      target.net.cleanup();
    });
  });

  test("depose with a burst: the commands start as the holds begin, at the fault's start or holdLagMs into the cut", async () => {
    for (const [depose, holdLagMs, at] of [[false, 0, 0], [true, 0, 100], [true, 300, 400]] as const) {
      await runWorld({ seed: 1 }, async (w) => {
        const { target } = fake(5);
        for (let a = 0; a < 5; a++) for (let b = 0; b < 5; b++) if (a !== b) target.net.makeEnd(`e${a}${b}`);
        const bursts: Array<[number, number]> = [];
        const f: Fault = {
          kind: "depose", at: 0, ms: 5000, peer: 0, order: [2, 4, 0, 1, 3], held: 2, holdMs: 100, depose, holdLagMs, side: 1, lingerMs: 0,
          deaf: false, steer: false, leadMs: 0, releaseMs: 3000, gapMs: 0, newestFirst: false, quiet: false, exposeMs: null, burst: 7,
        };
        const d = new FaultDriver(
          { ...target, endName: (a, b) => `e${a}${b}`, leaders: () => [2], burst: (n) => bursts.push([now(), n]) },
          [{ index: 0, fault: f }],
          (name) => w.rand(name),
        );
        d.start();
        if (at > 0) {
          await sleep(at - 1);
          expect(bursts).toEqual([]);
        }
        await sleep(at > 0 ? 2 : 1);
        // The holds are on (2's calls to 4 no longer answered) when the burst starts, and it starts once.
        expect([bursts, d.linkUp(2, 4), d.mayReach(2, 4)]).toEqual([[[at, 7]], false, true]);
        await sleep(1000);
        expect(bursts.length).toBe(1);
        d.heal();
        target.net.cleanup();
      });
    }
  });

  test("stagger: the leader's replies from the held peers held as a burst starts, then released peer by peer", async () => {
    await runWorld({ seed: 1 }, async (w) => {
      const { target } = fake(5);
      for (let a = 0; a < 5; a++) for (let b = 0; b < 5; b++) if (a !== b) target.net.makeEnd(`e${a}${b}`);
      const bursts: number[] = [];
      const f: Fault = { kind: "stagger", at: 100, ms: 1000, peer: 0, order: [2, 4, 0, 1, 3], held: 3, holdMs: 300, gapMs: 200, newestFirst: true, burst: 5 };
      const d = new FaultDriver(
        { ...target, endName: (a, b) => `e${a}${b}`, leaders: () => [2], burst: (n) => bursts.push(n) },
        [{ index: 0, fault: f }],
        (name) => w.rand(name),
      );
      d.start();
      await sleep(101);
      // Leader 2: the replies from 4, 0 and 1 (the first three others in order) held; 3's not.
      expect([d.linkUp(2, 4), d.linkUp(2, 0), d.linkUp(2, 1), d.linkUp(2, 3), d.mayReach(2, 4), d.linkUp(4, 2), bursts]).toEqual([false, false, false, true, true, true, [5]]);
      await sleep(300);
      expect([d.linkUp(2, 4), d.linkUp(2, 0), d.linkUp(2, 1)]).toEqual([true, false, false]);
      await sleep(200);
      expect([d.linkUp(2, 0), d.linkUp(2, 1)]).toEqual([true, false]);
      await sleep(200);
      expect([d.linkUp(2, 1), bursts]).toEqual([true, [5]]);
      d.heal();
      target.net.cleanup();
    });
  });

  test("stall: every reply on every link held, then released caller by caller gapMs apart; healing releases the rest", async () => {
    await runWorld({ seed: 1 }, async (w) => {
      const { target, log } = fake(3);
      for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) if (a !== b) target.net.makeEnd(`e${a}${b}`);
      const f: Fault = { kind: "stall", at: 100, ms: 2000, holdMs: 500, order: [2, 0, 1], gapMs: 0.5, afterVote: false, bounce: false };
      const d = new FaultDriver({ ...target, endName: (a, b) => `e${a}${b}` }, [{ index: 0, fault: f }], (name) => w.rand(name));
      d.start();
      const up = (): boolean[] => [0, 1, 2].flatMap((a) => [0, 1, 2].filter((b) => b !== a).map((b) => d.linkUp(a, b)));
      await sleep(100.2);
      // Held, not cut: every message still may reach its peer.
      expect([up(), d.mayReach(0, 1), d.mayReach(2, 0)]).toEqual([[false, false, false, false, false, false], true, true]);
      await sleep(500); // 600.2: peer 2's calls answered at 600
      expect(up()).toEqual([false, false, false, false, true, true]);
      await sleep(0.5); // 600.7: peer 0's at 600.5
      expect(up()).toEqual([true, true, false, false, true, true]);
      await sleep(0.5);
      expect(up()).toEqual([true, true, true, true, true, true]);
      d.heal();
      expect(log.filter((l) => !l.includes("link"))).toEqual([]);
      target.net.cleanup();
    });
  });

  test("stall after a vote: the first caller's replies, then a voter's crash and restart (bounce), then every other caller's", async () => {
    await runWorld({ seed: 1 }, async (w) => {
      const v = voter(w, { kind: "stall", at: 100, ms: 3000, holdMs: 500, order: [0, 2, 1], gapMs: 0, afterVote: true, bounce: true });
      v.d.start();
      await sleep(601);
      expect([v.d.linkUp(0, 1), v.d.linkUp(2, 1), v.d.linkUp(1, 0)]).toEqual([true, false, false]);
      v.stand(); // term 5 by its own timer, outside any handler: no vote
      await sleep(10);
      expect([v.events(), v.d.linkUp(2, 1)]).toEqual([[], false]);
      expect(await v.hear(7)).toBe(true); // a vote, answered: the reply arrives, what it granted counts
      const at = now();
      await sleep(0.01);
      // In the instant the vote's reply left: peer 1 crashed and restarted, then the others released.
      const events = v.events().map((l) => l.split(" "));
      expect(events.map((e) => e[1])).toEqual(["crash", "restart"]);
      expect(Number(events[0]![0]) <= at && events[0]![0] === events[1]![0]).toBe(true);
      expect([v.d.linkUp(2, 1), v.d.linkUp(1, 0), v.d.linkUp(2, 0)]).toEqual([true, true, true]);
      // Once a peer a window: a second vote by the restarted peer does not crash it.
      expect(await v.hear(8)).toBe(true);
      await sleep(10);
      expect(v.events()).toHaveLength(2);
      v.d.heal();
      v.net.cleanup();
    });
  });

  test("stall after a vote with none: the other callers' replies arrive STALL_VOTE_WAIT_MS after the first's; no bounce, no crash", async () => {
    await runWorld({ seed: 1 }, async (w) => {
      const v = voter(w, { kind: "stall", at: 100, ms: 3000, holdMs: 500, order: [1, 0, 2], gapMs: 0, afterVote: true, bounce: false });
      v.d.start();
      await sleep(601);
      expect([v.d.linkUp(1, 0), v.d.linkUp(0, 1)]).toEqual([true, false]);
      await sleep(STALL_VOTE_WAIT_MS - 2);
      expect(v.d.linkUp(0, 1)).toBe(false);
      await sleep(2);
      expect([v.d.linkUp(0, 1), v.d.linkUp(2, 0)]).toEqual([true, true]);
      expect(await v.hear(9)).toBe(true); // a vote, bounce off: nothing
      await sleep(10);
      expect(v.events()).toEqual([]);
      v.d.heal();
      v.net.cleanup();
    });
  });

  test("stall: a peer down when it opens counts from the term it restores; its vote after the restart releases the others", async () => {
    await runWorld({ seed: 1 }, async (w) => {
      const v = voter(w, [
        { kind: "crash", at: 50, ms: 500, peer: 1, leader: false },
        { kind: "stall", at: 100, ms: 3000, holdMs: 600, order: [0, 2, 1], gapMs: 0, afterVote: true, bounce: false },
      ]);
      v.d.start();
      await sleep(701); // 1 restarted at 550 (term 4 restored); 0's replies released at 700
      expect([v.events().map((l) => l.split(" ")[1]), v.d.linkUp(0, 1), v.d.linkUp(2, 1)]).toEqual([["crash", "restart"], true, false]);
      expect(await v.append()).toBe(true); // a save at the term it restored: no vote
      await sleep(10);
      expect(v.d.linkUp(2, 1)).toBe(false);
      expect(await v.hear(6)).toBe(true); // a vote by the restarted instance
      await sleep(0.01);
      expect([v.d.linkUp(2, 1), v.d.linkUp(1, 0), v.events()]).toEqual([true, true, ["50 crash 1", "550 restart 1"]]);
      v.d.heal();
      v.net.cleanup();
    });
  });

  test("stall healed mid-hold: every reply released at once, and a vote answered after the heal crashes nothing", async () => {
    await runWorld({ seed: 1 }, async (w) => {
      const v = voter(w, { kind: "stall", at: 100, ms: 5000, holdMs: 2000, order: [2, 0, 1], gapMs: 5, afterVote: false, bounce: true });
      v.d.start();
      await sleep(200);
      expect(v.d.linkUp(0, 1)).toBe(false);
      // A vote on its way when the stall heals: its reply leaves with no stall open.
      const voted = v.hear(7);
      v.d.heal();
      await sleep(1);
      expect([0, 1, 2].flatMap((a) => [0, 1, 2].filter((b) => b !== a).map((b) => v.d.linkUp(a, b))).every((x) => x)).toBe(true);
      expect(await voted).toBe(true);
      await sleep(3000);
      expect(v.events()).toEqual([]);
      v.net.cleanup();
    });
  });

  /**
   * Three peers on a real labrpc network for a stall's watch for votes: server 1's handler
   * "Peer.Hear" takes the term it is sent, persisting it if higher (a vote); "Peer.Append"
   * persists at its term (entries appended); stand() raises its term the way a candidate's
   * own timer does, outside any handler. Its term survives a crash. Peer 0 calls it on e01.
   */
  function voter(w: { rand(name: string): import("../../runtime/index.js").Rand }, faults: Fault | Fault[]) {
    const { target, log, up } = fake(3);
    const net = target.net;
    let persister = makePersister();
    let term = 4;
    const peerSide = {
      hear(t: number): number {
        if (t > term) {
          term = t;
          persister.saveRaftState(new Uint8Array([t]));
        }
        return term;
      },
      append(): number {
        persister.saveRaftState(new Uint8Array([term, 1]));
        return term;
      },
    };
    const serve = (): void => {
      const server = new Server();
      server.addService(new Service("Peer", peerSide, ["hear", "append"]));
      net.addServer(1, server);
    };
    serve();
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) if (a !== b && !(a === 0 && b === 1)) net.makeEnd(`e${a}${b}`);
    const e01 = net.makeEnd("e01");
    net.connect("e01", 1);
    net.enable("e01", true);
    const t: FaultTarget = {
      ...target,
      endName: (a, b) => `e${a}${b}`,
      persister: () => persister,
      term: (p) => (p === 1 && up[1] === true ? term : p === 1 ? undefined : 0),
      serverPeer: (s) => (typeof s === "number" ? s : undefined),
      crash: (p) => {
        target.crash(p);
        net.deleteServer(1);
      },
      restart: (p) => {
        target.restart(p);
        persister = makePersister(); // a restarted peer saves to a new persister
        serve();
      },
    };
    const d = new FaultDriver(t, [faults].flat().map((fault, index) => ({ index, fault })), (name) => w.rand(name));
    const hear = async (t: number): Promise<boolean> => (await e01.call<number>("Peer.Hear", t)).ok;
    const append = async (): Promise<boolean> => (await e01.call<number>("Peer.Append", null)).ok;
    const stand = (): void => {
      term++;
      persister.saveRaftState(new Uint8Array([term]));
    };
    return { d, net, hear, append, stand, events: () => log.filter((l) => !l.includes("link")) };
  }

  test("held replies released newest first arrive in reverse call order, when the hold's window ends", async () => {
    await runWorld({ seed: 1 }, async (w) => {
      const { target } = fake(2);
      const net = target.net;
      const server = new Server();
      server.addService(new Service("JunkServer", new JunkServer(), JUNK_METHODS));
      net.addServer("s1", server);
      const e = net.makeEnd("e01");
      net.connect("e01", "s1");
      net.enable("e01", true);
      const d = new FaultDriver(
        { ...target, endName: () => "e01" },
        [{ index: 0, fault: { kind: "hold-replies", at: 0, ms: 500, from: 0, leader: false, to: 1, newestFirst: true } }],
        (name) => w.rand(name),
      );
      d.start();
      await sleep(10);
      const arrived: number[] = [];
      const calls = [1, 2, 3].map((i) => e.call<string>("JunkServer.Handler2", i).then(() => arrived.push(i)));
      await sleep(400);
      expect(arrived).toEqual([]);
      await Promise.all(calls);
      expect(arrived).toEqual([3, 2, 1]);
      expect(now()).toBe(500);
      net.cleanup();
    });
  });

  test("healing ends every open fault at once, and no later fault starts", async () => {
    await runWorld({ seed: 1 }, async (w) => {
      const { target, log, up } = fake(3);
      const faults: Fault[] = [
        { kind: "crash", at: 10, ms: 5000, peer: 0, leader: false },
        { kind: "loss", at: 10, ms: 5000 },
        { kind: "crash", at: 900, ms: 100, peer: 1, leader: false },
      ];
      const d = new FaultDriver(target, faults.map((fault, index) => ({ index, fault })), (name) => w.rand(name));
      d.start();
      await sleep(50);
      expect(up[0]).toBe(false);
      expect(d.modesOn()).toBe(true);
      d.heal();
      expect(up).toEqual([true, true, true]);
      expect(d.modesOn()).toBe(false);
      await sleep(2000);
      expect(log.filter((l) => !l.includes("link"))).toEqual(["10 crash 0", "50 restart 0"]);
    });
  });

  test("crash-on-save crashes the peer inside its next save, and restarts it when the window ends", async () => {
    await runWorld({ seed: 1 }, async (w) => {
      const p = makePersister();
      const { target, log } = fake(3);
      const t: FaultTarget = { ...target, persister: () => p };
      const d = new FaultDriver(t, [{ index: 0, fault: { kind: "crash-on-save", at: 100, ms: 1000, peer: 1, leader: false } }], (name) => w.rand(name));
      d.start();
      await sleep(300);
      expect(log).toEqual([]);
      p.saveRaftState(new Uint8Array([1]));
      expect(log).toEqual(["300 crash 1"]);
      p.saveRaftState(new Uint8Array([2])); // the hook is gone: no second crash
      await sleep(1000);
      expect(log.filter((l) => !l.includes("link"))).toEqual(["300 crash 1", "1100 restart 1"]);
    });
  });
});

describe("runs", () => {
  // In a handout the lab files are stubs: runs then fail, the same way every time. Our
  // solution is there when the student files hold its markers (the handout test's round
  // trip puts them back without the reference tests, so referencePresent() would say no).
  const reference = ["2D", "3A"].every((id) =>
    studentFilesIn(findPart(id)!, ROOT).some((f) => existsSync(path.join(ROOT, f)) && hasMarkers(readFileSync(path.join(ROOT, f), "utf8"))),
  );

  test("a run is a function of its seed and its faults: two runs, one trace", async () => {
    for (const [id, seed] of [["2C", 35], ["2D", 9], ["3A", 3]] as const) {
      const part = huntPart(id);
      const body = await huntBody(part);
      const digest = async (keep?: number[]) => {
        const { result } = await runGraded(huntTestName(part), (w) => body(w, keep), {}, { seed, realtime: false, hash: true, limitMs: 125_000 });
        if (reference) expect(result.passed, `${id} seed ${seed}: ${result.error ?? ""}`).toBe(true);
        return result.digest;
      };
      expect(await digest()).toBe(await digest());
      expect(await digest([0])).toBe(await digest([0]));
      if (reference) expect(await digest([0])).not.toBe(await digest());
    }
  }, 120_000);

  test("hunt() runs seeds in worker processes and counts them", async () => {
    const r = await hunt("2A", { runs: 3 }, { seed: 11, workers: 1, cwd: ROOT, shrink: false });
    expect(r).toMatchObject({ part: "2A", seeds: { first: 11 } });
    expect(r.runsPerSecond).toBeGreaterThan(0);
    if (reference) {
      expect(r).toMatchObject({ runs: 3, failed: 0, seeds: { last: 13 } });
      expect(r.failure).toBeUndefined();
    } else {
      // The stub elects nobody: every run fails, and the report names a seed and why.
      expect(r.failure).toMatchObject({ kind: "run", seed: 11 });
      expect(r.failure?.error).toMatch(/leader/);
    }
  }, 120_000);
});
