// The safety monitors' rules as a unit: sequences of observations that break each rule
// (the violation names the rule and the peers, and is reported once), and the legal
// sequences around each rule that must pass (restarts, re-applies, refused snapshots).
import { describe, expect, test } from "vitest";
import { monitorsEnabled, sameValue, SafetyMonitor, SafetyViolation, type GroupOptions, type MonitorGroup } from "./safety-monitor.js";

interface Rig {
  monitor: SafetyMonitor;
  g: MonitorGroup;
  reports: SafetyViolation[];
  traced: Array<{ lane: string | number; ev: string; fields: Record<string, unknown> }>;
  /** Set the clock (ms). */
  at(ms: number): void;
}

function rig(opts: Partial<GroupOptions> = {}): Rig {
  let t = 0;
  const reports: SafetyViolation[] = [];
  const traced: Rig["traced"] = [];
  const monitor = new SafetyMonitor({
    report: (v) => reports.push(v),
    now: () => t,
    trace: (lane, ev, fields) => traced.push({ lane, ev, fields }),
  });
  const g = monitor.group({ name: "", lanes: [0, 1, 2], gaps: false, ...opts });
  return { monitor, g, reports, traced, at: (ms) => (t = ms) };
}

/** Start every peer of the rig's group with nothing applied. */
function startAll(r: Rig): void {
  for (let i = 0; i < r.g.lanes.length; i++) r.g.started(i, 0);
}

function only(r: Rig): SafetyViolation {
  expect(r.reports).toHaveLength(1);
  return r.reports[0]!;
}

const cmd = (index: number, command: unknown) => ({ commandValid: true, command, commandIndex: index });
const snap = (index: number) => ({ snapshotValid: true, snapshotIndex: index, snapshot: new Uint8Array(1) });

describe("election safety", () => {
  test("two peers leading one term, even far apart in time, is a violation naming both", () => {
    const r = rig();
    startAll(r);
    r.at(1234);
    r.g.state(1, 7, true);
    r.at(1500);
    r.g.state(1, 7, false);
    r.at(2001);
    r.g.state(2, 7, true);
    const v = only(r);
    expect(v).toBeInstanceOf(SafetyViolation);
    expect(v.rule).toBe("election safety");
    expect(v.peers).toEqual([1, 2]);
    expect(v.message).toBe("safety: election safety: term 7 has two leaders, S1 (at 1234 ms) and S2 (at 2001 ms)");
    // On each named peer's lane of the trace.
    expect(r.traced.map((e) => [e.lane, e.ev, e.fields.rule])).toEqual([
      [1, "safety", "election safety"],
      [2, "safety", "election safety"],
    ]);
  });

  test("a leader of term T counts after its crash: another peer leading T later is a violation", () => {
    const r = rig();
    startAll(r);
    r.g.state(0, 3, true);
    r.g.crashed(0);
    r.g.state(1, 3, true);
    expect(only(r).peers).toEqual([0, 1]);
  });

  test("legal: one leader per term, a leader seen again in its term, a restarted peer back as follower", () => {
    const r = rig();
    startAll(r);
    r.g.state(0, 1, true);
    r.g.state(0, 1, false);
    r.g.state(0, 1, true);
    r.g.state(1, 2, true);
    r.g.state(0, 2, false);
    r.g.crashed(1);
    r.g.started(1, undefined);
    r.g.state(1, 2, false);
    r.g.state(2, 3, true);
    expect(r.reports).toEqual([]);
    expect(r.g.seen.leaders).toBe(4);
  });

  test("Lab 4's groups are checked apart and named in the message", () => {
    const r = rig({ name: "group 101", lanes: ["server-101-0", "server-101-1", "server-101-2"], gaps: true });
    const other = r.monitor.group({ name: "controller", lanes: ["ctrler0", "ctrler1", "ctrler2"], gaps: true });
    startAll(r);
    for (let i = 0; i < 3; i++) other.started(i, 0);
    r.g.state(0, 3, true);
    other.state(1, 3, true); // the same term in another group: no conflict
    expect(r.reports).toEqual([]);
    r.at(40);
    r.g.state(2, 3, true);
    const v = only(r);
    expect(v.peers).toEqual(["server-101-0", "server-101-2"]);
    expect(v.message).toBe("safety: election safety: group 101: term 3 has two leaders, server-101-0 (at 0 ms) and server-101-2 (at 40 ms)");
  });
});

describe("term monotonicity", () => {
  test("a term going down within one incarnation", () => {
    const r = rig();
    startAll(r);
    r.g.state(2, 5, false);
    r.at(900);
    r.g.state(2, 3, false);
    const v = only(r);
    expect(v.rule).toBe("term monotonicity");
    expect(v.peers).toEqual([2]);
    expect(v.message).toBe("safety: term monotonicity: S2's term went down from 5 to 3 (at 900 ms, with no restart between)");
  });

  test("a restart below a term the peer answered RPCs in", () => {
    const r = rig();
    startAll(r);
    r.g.state(1, 7, false);
    r.g.answered(1, 7);
    r.at(100);
    r.g.crashed(1);
    r.at(200);
    r.g.started(1, undefined);
    r.g.state(1, 0, false);
    const v = only(r);
    expect(v.rule).toBe("term monotonicity");
    expect(v.peers).toEqual([1]);
    expect(v.message).toContain("S1 restarted (at 200 ms) in term 0, below term 7, in which it had answered RPCs before its crash at 100 ms");
  });

  test("the floor holds over several restarts", () => {
    const r = rig();
    startAll(r);
    r.g.state(0, 4, false);
    r.g.answered(0, 4);
    r.g.crashed(0);
    r.g.started(0, undefined);
    r.g.state(0, 4, false); // restored: fine
    r.g.crashed(0);
    r.g.started(0, undefined);
    r.g.state(0, 2, false);
    expect(only(r).rule).toBe("term monotonicity");
  });

  test("legal: a term seen but never answered in may be lost in a crash; a replaced disk binds nothing", () => {
    const r = rig();
    startAll(r);
    r.g.state(0, 5, false);
    r.g.answered(0, 5);
    r.g.state(0, 6, false); // a candidate of term 6 that never answered in it
    r.g.crashed(0);
    r.g.started(0, undefined);
    r.g.state(0, 5, false);
    r.g.answered(0, 5);
    r.g.crashed(0);
    r.g.persistedStateReplaced(0);
    r.g.started(0, undefined);
    r.g.state(0, 0, false);
    expect(r.reports).toEqual([]);
  });

  test("a down peer's observations and a broken getState()'s non-numbers are ignored", () => {
    const r = rig();
    r.g.state(0, 5, true); // never started
    startAll(r);
    r.g.state(1, Number.NaN, true);
    r.g.state(1, "7" as unknown as number, true);
    expect(r.reports).toEqual([]);
    expect(r.g.seen.states).toBe(0);
  });
});

describe("state machine safety", () => {
  test("two peers applying different commands at one index", () => {
    const r = rig();
    startAll(r);
    const [a, b] = [r.g.current(0)!, r.g.current(2)!];
    r.at(10);
    r.g.applied(a, cmd(1, "x"));
    r.at(20);
    r.g.applied(b, cmd(1, "y"));
    const v = only(r);
    expect(v.rule).toBe("state machine safety");
    expect(v.peers).toEqual([0, 2]);
    expect(v.message).toBe('safety: state machine safety: index 1 was applied as "x" by S0 (at 10 ms) but as "y" by S2 (at 20 ms)');
  });

  test("one peer applying a different command at an index after its restart", () => {
    const r = rig();
    startAll(r);
    r.g.applied(r.g.current(0)!, cmd(1, 100));
    r.g.crashed(0);
    r.g.started(0, undefined);
    r.g.applied(r.g.current(0)!, cmd(1, 101));
    expect(only(r).peers).toEqual([0]);
  });

  test("an index applied twice in one incarnation", () => {
    const r = rig({ gaps: true });
    startAll(r);
    const a = r.g.current(1)!;
    r.g.applied(a, cmd(1, "a"));
    r.g.applied(a, cmd(2, "b"));
    r.at(30);
    r.g.applied(a, cmd(2, "b"));
    const v = only(r);
    expect(v.peers).toEqual([1]);
    expect(v.message).toBe(
      "safety: state machine safety: S1 applied index 2 at 30 ms, but it had already applied through index 2 since it started at 0 ms: an index applied twice, or out of order",
    );
  });

  test("an index skipped where the harness demands every one (Lab 2), allowed where it does not (Labs 3-4)", () => {
    const strict = rig();
    startAll(strict);
    strict.g.applied(strict.g.current(0)!, cmd(1, 1));
    strict.g.applied(strict.g.current(0)!, cmd(3, 3));
    expect(only(strict).message).toBe(
      "safety: state machine safety: S0 applied index 3 right after index 1 (at 0 ms): out of order, index 2 was never applied",
    );
    const loose = rig({ gaps: true });
    startAll(loose);
    loose.g.applied(loose.g.current(0)!, cmd(1, 1));
    loose.g.applied(loose.g.current(0)!, cmd(3, 3));
    expect(loose.reports).toEqual([]);
  });

  test("a fresh peer's first command must be index 1", () => {
    const r = rig();
    startAll(r);
    r.g.applied(r.g.current(0)!, cmd(2, 2));
    expect(only(r).rule).toBe("state machine safety");
  });

  test("legal: a restarted peer applies again from 1, or goes on from where it was; equal values in other shapes", () => {
    const r = rig();
    startAll(r);
    const a = r.g.current(0)!;
    const op = { key: "k", value: "v", clientId: 7, seq: 1, extra: undefined };
    r.g.applied(a, cmd(1, op));
    r.g.applied(a, cmd(2, new Uint8Array([1, 2])));
    const tuple: unknown[] = ["Append", 7, 2, "k", "x"];
    r.g.applied(a, cmd(3, tuple));
    op.value = "changed by the service afterwards";
    tuple[4] = "changed too";
    r.g.crashed(0);
    r.g.started(0, undefined);
    const b = r.g.current(0)!;
    r.g.applied(b, cmd(1, { seq: 1, clientId: 7, value: "v", key: "k" })); // the codec's copy: no undefined field, another order
    r.g.applied(b, cmd(2, new Uint8Array([1, 2])));
    r.g.applied(b, cmd(3, ["Append", 7, 2, "k", "x"]));
    r.g.crashed(0);
    r.g.started(0, undefined);
    r.g.applied(r.g.current(0)!, cmd(4, null));
    r.g.applied(r.g.current(1)!, cmd(1, { key: "k", value: "v", clientId: 7, seq: 1 }));
    expect(r.reports).toEqual([]);
    expect(r.g.seen.applies).toBe(8);
  });

  test("ApplyMsgs of other kinds are ignored", () => {
    const r = rig();
    startAll(r);
    r.g.applied(r.g.current(0)!, { commandValid: false, commandIndex: 5 });
    r.g.applied(r.g.current(0)!, { commandValid: true, commandIndex: "5" });
    expect(r.reports).toEqual([]);
  });
});

describe("snapshot rollback", () => {
  test("a snapshot installed below the applied point", () => {
    const r = rig();
    startAll(r);
    const a = r.g.current(2)!;
    for (let k = 1; k <= 15; k++) r.g.applied(a, cmd(k, k));
    r.g.applied(a, snap(10));
    r.at(77);
    r.g.installed(a, 10);
    const v = only(r);
    expect(v.rule).toBe("snapshot rollback");
    expect(v.peers).toEqual([2]);
    expect(v.message).toBe(
      "safety: snapshot rollback: S2 installed a snapshot through index 10 at 77 ms, after it had applied through index 15: its applied point moved back",
    );
  });

  test("legal: a refused old snapshot moves nothing; a newer one moves the point on", () => {
    const r = rig();
    startAll(r);
    const a = r.g.current(0)!;
    for (let k = 1; k <= 15; k++) r.g.applied(a, cmd(k, k));
    r.g.applied(a, snap(10));
    r.g.refused(a, 10);
    r.g.applied(a, cmd(16, 16));
    r.g.applied(a, snap(30));
    r.g.installed(a, 30);
    r.g.applied(a, cmd(31, 31));
    // A restart from the harness's own snapshot: the next command follows it.
    r.g.crashed(0);
    r.g.started(0, 30);
    r.g.applied(r.g.current(0)!, snap(30));
    r.g.installed(r.g.current(0)!, 30);
    r.g.applied(r.g.current(0)!, cmd(31, 31));
    expect(r.reports).toEqual([]);
  });

  test("without condInstallSnapshot: the commands after a snapshot tell whether the service took it", () => {
    const r = rig({ gaps: true });
    startAll(r);
    const a = r.g.current(0)!;
    for (let k = 1; k <= 15; k++) r.g.applied(a, cmd(k, k));
    r.g.applied(a, snap(10)); // stale: the service must have ignored it, as the commands go on
    r.g.applied(a, cmd(16, 16));
    r.g.applied(a, snap(40)); // taken: the commands go on after it
    r.g.applied(a, cmd(41, 41));
    expect(r.reports).toEqual([]);
    r.g.applied(a, cmd(17, 17)); // but index 17 now comes after 41
    expect(only(r).rule).toBe("state machine safety");
  });
});

describe("the monitor", () => {
  test("reports only the first violation, then observes nothing; stop() ends observation", () => {
    const r = rig();
    startAll(r);
    r.g.state(0, 1, true);
    r.g.state(1, 1, true);
    r.g.state(2, 1, true);
    r.g.applied(r.g.current(0)!, cmd(5, 5));
    expect(r.reports).toHaveLength(1);
    expect(r.monitor.violation).toBe(r.reports[0]);
    expect(r.monitor.active).toBe(false);

    const s = rig();
    startAll(s);
    s.g.state(0, 1, true);
    s.monitor.stop();
    s.g.state(1, 1, true);
    expect(s.reports).toEqual([]);
  });

  test("a peer index outside the group is a RangeError naming it", () => {
    const r = rig();
    expect(() => r.g.started(3, 0)).toThrow(/safety monitor: no peer 3 in a group of 3/);
  });

  test("LABS_SAFETY_MONITORS: on by default, off only when asked, anything else a clear error", () => {
    expect(monitorsEnabled({})).toBe(true);
    expect(monitorsEnabled({ LABS_SAFETY_MONITORS: "on" })).toBe(true);
    expect(monitorsEnabled({ LABS_SAFETY_MONITORS: " off " })).toBe(false);
    expect(() => monitorsEnabled({ LABS_SAFETY_MONITORS: "0" })).toThrow('LABS_SAFETY_MONITORS="0": must be on or off');
  });

  test("sameValue compares as the codec carries values", () => {
    expect(sameValue({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 }, 0)).toBe(true);
    expect(sameValue({ a: 1, u: undefined }, { a: 1 }, 0)).toBe(true);
    expect(sameValue({ a: 1 }, { a: 2 }, 0)).toBe(false);
    expect(sameValue([1], { 0: 1 }, 0)).toBe(false);
    expect(sameValue(new Uint8Array([1]), new Uint8Array([2]), 0)).toBe(false);
    expect(sameValue(1, "1", 0)).toBe(false);
    expect(sameValue(null, {}, 0)).toBe(false);
  });
});
