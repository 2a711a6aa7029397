// The registry of trace kinds (runtime/trace-kinds.ts) against everything that uses it:
// every kind an emitter in the source passes is registered, every registered kind draws
// something on the timeline, README's table is the registry's, and a misspelled kind or
// field does not type-check.
import { readFileSync } from "node:fs";
import { globSync } from "glob";
import { expect, test } from "vitest";
import { trace } from "../../runtime/index.js";
import { TRACE_KIND_NAMES, TRACE_KINDS, type TraceKind } from "../../runtime/trace-kinds.js";
import type { TraceEvent } from "../../runtime/tracer.js";
import { kindsTable } from "./kinds-table.js";
import { buildTimeline, type TimelineModel } from "./timeline-model.js";

/** The string literal a call passes as its second argument, if it does: `f(a(b), "kind", …)` → kind. */
function secondLiteral(src: string, open: number): string | undefined {
  let depth = 0;
  let quote: string | null = null;
  for (let i = open; i < src.length; i++) {
    const c = src[i]!;
    if (quote !== null) {
      if (c === "\\") i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'" || c === "`") quote = c;
    else if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") {
      if (--depth === 0) return undefined;
    } else if (c === "," && depth === 1) return /^\s*"([^"]+)"/.exec(src.slice(i + 1))?.[1];
  }
  return undefined;
}

/** Every literal kind passed to trace(), a tracer's event() or the monitors' traceFn() in the repository's TypeScript, with where. */
function emittedKinds(): Map<string, string> {
  const out = new Map<string, string>();
  // This file misspells kinds on purpose (the type-check test below).
  const files = globSync("**/*.ts", { ignore: ["node_modules/**", ".labs-runs/**", "labs-test/vis/kinds.test.ts"] });
  for (const f of files) {
    const src = readFileSync(f, "utf8");
    for (const m of src.matchAll(/(?:\btrace|\.event|\btraceFn)\(/g)) {
      const kind = secondLiteral(src, m.index + m[0].length - 1);
      if (kind !== undefined && !out.has(kind)) out.set(kind, `${f}:${src.slice(0, m.index).split("\n").length}`);
    }
  }
  return out;
}

test("every kind an emitter passes is in the registry", () => {
  const kinds = emittedKinds();
  // The scan finds the framework's emitters (labrpc, persister, runtime, harness, monitors);
  // our solutions' ("role", "kv-restore" …) are found too where they are (not in a handout).
  for (const k of ["rpc", "duplicate", "duplicate-error", "persist", "note", "host", "state", "start-call", "safety", "crash"]) {
    expect([...kinds.keys()], k).toContain(k);
  }
  const unregistered = [...kinds].filter(([k]) => !Object.hasOwn(TRACE_KINDS, k)).map(([k, where]) => `${k} (${where})`);
  expect(unregistered).toEqual([]);
});

/** A sample event of a kind, its fields filled in from the registry's types (booleans false: a link cut, a server down). */
function sample(kind: TraceKind, t: number): TraceEvent {
  const fields: Record<string, unknown> = {};
  for (const [f, type] of Object.entries(TRACE_KINDS[kind].fields)) {
    const base = type.replace(/\?$|\|null$/, "");
    fields[f] = base === "number" || base === "name" ? 1 : base === "string" ? "x" : base === "boolean" ? false : ["x"];
  }
  return { t, peer: kind === "host" ? "host-a" : 0, ev: kind, ...fields };
}

/** What the page draws of a model. */
function drawing(m: TimelineModel): string {
  return JSON.stringify([m.laneLabels, m.rpc, m.bands, m.ops, m.marks, m.markKinds, m.porcupine]);
}

test("every registered kind draws something, as its registry entry says, and none is reported unknown", () => {
  // Context: an RPC in flight (for deliveries, replies, drops) and a link on (for a cut).
  const context: TraceEvent[] = [
    { t: 0, peer: 0, ev: "rpc", id: 1, to: 1, m: "Raft.AppendEntries", bytes: 10 },
    { t: 0, peer: 0, ev: "link", end: 1, to: 1, on: true }, // the end a sample link event cuts
  ];
  for (const kind of TRACE_KIND_NAMES) {
    // (A later event, so that a band opened at t=1 has a length.)
    const last: TraceEvent = { t: 2, peer: "tester", ev: "note", text: "end" };
    const before = buildTimeline([...context, last]);
    const after = buildTimeline([...context, sample(kind, 1), last]);
    expect(drawing(after), kind).not.toBe(drawing(before));
    expect(after.warnings, kind).toEqual([]);
    const mark = (TRACE_KINDS[kind] as { mark?: { glyph: string; color: string } }).mark;
    if (mark !== undefined) {
      const k = after.markKinds.indexOf(kind);
      expect(k, kind).toBeGreaterThanOrEqual(0);
      expect([after.markGlyphs[k], after.markColors[k]], kind).toEqual([mark.glyph, mark.color]);
    }
  }
});

test("labs-test/vis/README.md's table of kinds is the registry's (regenerate: npx tsx labs-test/vis/kinds-table.ts)", () => {
  const readme = readFileSync(new URL("./README.md", import.meta.url), "utf8");
  expect(readme).toContain(kindsTable());
});

test("a misspelled kind, a wrong field or a missing one does not type-check (tsc checks the lines below)", () => {
  const typeChecks = (): void => {
    // @ts-expect-error a misspelled kind
    trace(0, "comit", { index: 1 });
    // @ts-expect-error a field of the wrong type
    trace(0, "commit", { index: "1" });
    // @ts-expect-error a field the kind does not have
    trace(0, "commit", { index: 1, term: 2 });
    // @ts-expect-error a required field missing
    trace(0, "commit", {});
    // @ts-expect-error no fields where the kind has required ones
    trace(0, "commit");
    trace(0, "apply", { index: 1, snapshot: true }); // an optional field
  };
  expect(typeof typeChecks).toBe("function");
});
