// The timeline's Node side (the framework's trace of a Raft that traces nothing is tested in
// raft/reference/timeline.test.ts): the model built from events, bad trace files, the Perfetto export's required fields, the
// DEBUG columns, annotate(), and naming the first divergent event.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { expect, test } from "vitest";
import { z } from "zod";
import { formatDebugLine } from "../../runtime/debug-log.js";
import { readTestEnv } from "../harness/env.js";
import { annotate, annotatePeer, runWorld, traceOwn } from "../../runtime/index.js";
import { describeDivergence, firstDivergence } from "../../runtime/trace-diff.js";
import type { TraceEvent } from "../../runtime/tracer.js";
import { bigTrace } from "./fixtures/big-trace.js";
import { toPerfetto } from "./perfetto.js";
import { readTraceFile, TraceReadError } from "./read-trace.js";
import { BAND_CUT, BAND_ROLE, buildTimeline, RPC_DROPPED, RPC_REPLIED } from "./timeline-model.js";

function tmp(name: string, text: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "labs-vis-"));
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
}

test("the model joins an RPC's send, delivery and reply, marks drops, and names cut links", () => {
  const ev: TraceEvent[] = [
    { t: 0, peer: 0, ev: "link", end: "a", to: 1, on: true },
    { t: 0, peer: 1, ev: "link", end: "b", to: 0, on: true },
    { t: 1, peer: 0, ev: "rpc", id: 1, to: 1, m: "Raft.AppendEntries", bytes: 40 },
    { t: 2, peer: 1, ev: "deliver", id: 1 },
    { t: 3, peer: 0, ev: "reply", id: 1, bytes: 12 },
    { t: 4, peer: 0, ev: "rpc", id: 2, to: 1, m: "Raft.RequestVote", bytes: 30 },
    { t: 5, peer: 0, ev: "drop", id: 2, why: "request lost" },
    { t: 6, peer: 0, ev: "link", end: "a", to: 1, on: false },
    { t: 7, peer: 0, ev: "mystery", x: 1 },
    { t: 9, peer: 0, ev: "link", end: "a", to: 1, on: true },
  ];
  const m = buildTimeline(ev);
  expect(m.rpc.send).toEqual([1, 4]);
  expect(m.rpc.deliver).toEqual([2, -1]);
  expect(m.rpc.end).toEqual([3, 5]);
  expect(m.rpc.status).toEqual([RPC_REPLIED, RPC_DROPPED]);
  expect(m.methods).toEqual(["Raft.AppendEntries", "Raft.RequestVote"]);
  const cuts = m.bands.label.map((l, j) => ({ l, lane: m.lanes[m.bands.lane[j]!], t0: m.bands.t0[j], t1: m.bands.t1[j], k: m.bands.kind[j] }));
  expect(cuts.filter((b) => b.k === BAND_CUT)).toEqual([
    { l: "cut →S1", lane: "S0", t0: 6, t1: 9, k: BAND_CUT },
    { l: "cut ←S0", lane: "S1", t0: 6, t1: 9, k: BAND_CUT },
  ]);
  expect(m.warnings.join()).toMatch(/unknown event kinds, drawn as plain marks: mystery/);
  expect(m.markKinds).toContain("mystery");
});

test("bad trace files: a clear error, or a partial page that says where it stopped", async () => {
  await expect(readTraceFile(tmp("empty.jsonl", ""))).rejects.toThrow(/is empty/);
  await expect(readTraceFile(tmp("junk.jsonl", "hello world\nmore\n"))).rejects.toThrow(/not a trace .*line 1 is not JSON/);
  await expect(readTraceFile(tmp("shape.jsonl", '{"a":1}\n'))).rejects.toThrow(/line 1 is not a trace event/);
  await expect(readTraceFile(path.join(tmpdir(), "no-such-trace.jsonl"))).rejects.toBeInstanceOf(TraceReadError);
  const good = '{"t":0,"peer":0,"ev":"note","text":"a"}\n{"t":1,"peer":1,"ev":"note","text":"b"}\n';
  const cut = await readTraceFile(tmp("cut.jsonl", good + '{"t":2,"peer":0,"ev":"no'));
  expect(cut.events).toHaveLength(2);
  expect(cut.warnings.join()).toMatch(/truncated line 3/);
  const mid = await readTraceFile(tmp("mid.jsonl", good + "oops\n" + good));
  expect(mid.events).toHaveLength(2);
  expect(mid.warnings.join()).toMatch(/stopped at line 3, which is not JSON/);
  const capped = await readTraceFile(tmp("big.jsonl", good.repeat(5)), { maxEvents: 3 });
  expect(capped.events).toHaveLength(3);
  expect(capped.warnings.join()).toMatch(/after 3 events/);
  const cli = await execa("node_modules/.bin/tsx", ["labs-test/tools/vis.ts", "--trace", tmp("e.jsonl", "")], { reject: false });
  expect(cli.exitCode).toBe(2);
  expect(cli.stderr).toMatch(/error: .*is empty/);
});

// The trace-event format's required fields, by phase (Chrome's "Trace Event Format" doc).
const base = { name: z.string().min(1), pid: z.number().int(), tid: z.number().int(), ts: z.number().int().nonnegative() };
const traceEventSchema = z.discriminatedUnion("ph", [
  z.object({ ...base, ph: z.literal("X"), dur: z.number().int().nonnegative() }),
  z.object({ ...base, ph: z.literal("i"), s: z.enum(["t", "p", "g"]) }),
  z.object({ ...base, ph: z.literal("s"), id: z.number().int(), cat: z.string() }),
  z.object({ ...base, ph: z.literal("f"), id: z.number().int(), cat: z.string(), bp: z.literal("e") }),
  z.object({ ...base, ph: z.literal("M"), args: z.object({}).passthrough() }),
]);

test("the Perfetto export has the trace-event format's required fields; peers are threads, RPCs flows", async () => {
  const m = buildTimeline(bigTrace(3000), { title: "synthetic", failure: { t: 100, text: "a failure" } });
  const doc = JSON.parse(JSON.stringify(toPerfetto(m))) as { traceEvents: unknown[]; displayTimeUnit: string };
  expect(doc.displayTimeUnit).toBe("ms");
  const evs = doc.traceEvents.map((e) => traceEventSchema.parse(e));
  const threads = evs.flatMap((e) => (e.ph === "M" && e.name === "thread_name" ? [e.args.name] : []));
  expect(threads).toEqual(["tester", "S0", "S1", "S2", "S3", "S4"]);
  const starts = evs.filter((e) => e.ph === "s");
  const finishes = new Map(evs.filter((e) => e.ph === "f").map((e) => [(e as { id: number }).id, e]));
  expect(starts.length).toBeGreaterThan(10);
  for (const s of starts) {
    const f = finishes.get((s as { id: number }).id);
    expect(f, "each flow start has its finish").toBeDefined();
    expect(f!.ts).toBeGreaterThanOrEqual(s.ts);
  }
  expect(evs.some((e) => e.ph === "X" && e.name.startsWith("leader t"))).toBe(true);
  expect(evs.some((e) => e.ph === "i" && e.s === "g" && e.name === "FAIL: a failure")).toBe(true);
});

test("make vis's CLI turns a trace file into a page; a bad --format is a clear error", async () => {
  const trace = tmp("small.jsonl", bigTrace(2000).map((e) => JSON.stringify(e)).join("\n") + "\n");
  const html = path.join(path.dirname(trace), "small.html");
  const r = await execa("node_modules/.bin/tsx", ["labs-test/tools/vis.ts", "--trace", trace, "--out", html]);
  expect(r.stdout).toMatch(/^timeline: .*small\.html \(2000 events/);
  expect(readFileSync(html, "utf8")).toContain('id="timeline-data"');
  const bad = await execa("node_modules/.bin/tsx", ["labs-test/tools/vis.ts", "--trace", trace, "--format", "svg"], { reject: false });
  expect(bad.exitCode).not.toBe(0);
  expect(bad.stderr).toMatch(/--format must be html or perfetto/);
});

test("VIS is checked: a typo is a clear error; in-memory recording keeps the newest events past its cap", async () => {
  expect(readTestEnv({}).vis).toBe("fail");
  expect(readTestEnv({ VIS: "always" }).vis).toBe("always");
  expect(() => readTestEnv({ VIS: "sometimes" })).toThrow(/VIS="sometimes": must be fail .*always, or off/);
  const kept = await runWorld({ seed: 1, record: 4 }, async (w) => {
    for (let i = 0; i < 10; i++) traceOwn(0, "n", { i });
    return { events: w.tracer.events().map((e) => e.i), dropped: w.tracer.droppedEvents };
  });
  expect(kept.events.at(-1)).toBe(9);
  expect(kept.dropped + kept.events.length).toBe(10);
  expect(kept.events.length).toBeLessThanOrEqual(4);
});

test("DEBUG lines: time, topic and the message in its peer's column; colour only when asked", () => {
  const plain = formatDebugLine(1234.5, "vote", 2, "granted", false);
  expect(plain).toBe(`    1.234 VOTE    ${" ".repeat(56)}S2 granted`);
  expect(formatDebugLine(0, "note", "tester", "hi", false)).toBe("    0.000 NOTE    tester hi");
  const coloured = formatDebugLine(0, "vote", 0, "x", true);
  expect(coloured).toContain("\x1b[");
  expect(coloured.replace(/\x1b\[\d+m/g, "")).toBe(formatDebugLine(0, "vote", 0, "x", false));
});

test("annotate() and annotatePeer() land in the trace at the moment of the call", async () => {
  const events = await runWorld({ seed: 1, record: 100 }, async (w) => {
    annotate("tester says hi");
    await w.clock.sleep(5);
    annotatePeer(1, "S1 became leader (my guess)");
    return [...w.tracer.events()];
  });
  expect(events).toEqual([
    { t: 0, peer: "tester", ev: "note", text: "tester says hi" },
    { t: 5, peer: 1, ev: "note", text: "S1 became leader (my guess)" },
  ]);
});

test("the determinism check names the first divergent event", () => {
  expect(firstDivergence(["a", "b"], ["a", "b"])).toBeNull();
  const d = firstDivergence(["a", "b", "c"], ["a", "x", "c"]);
  expect(d).toEqual({ index: 1, a: "b", b: "x" });
  expect(describeDivergence(d!)).toMatch(/event #1:\n.*first run: {2}b\n.*second run: x/);
  expect(firstDivergence(["a"], ["a", "b"])).toEqual({ index: 1, a: null, b: "b" });
});

test("two worlds' traces: the first divergent event is named with both versions", async () => {
  const run = (extra: boolean): Promise<readonly string[]> =>
    runWorld({ seed: 9, hash: true }, async (w) => {
      traceOwn(0, "a", { n: 1 });
      await w.clock.sleep(1);
      traceOwn(1, extra ? "surprise" : "b");
      return w.tracer.lines();
    });
  const d = firstDivergence(await run(false), await run(true));
  expect(d).toEqual({ index: 1, a: '{"t":1,"peer":1,"ev":"b"}', b: '{"t":1,"peer":1,"ev":"surprise"}' });
});
