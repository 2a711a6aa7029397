// Turns a check's info into the data the HTML page draws, and writes the page: one
// self-contained file per failing history, to open in a browser offline.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { LinearizationInfo, PartitionStatus } from "./checker.js";
import { eventOrder } from "./events.js";
import { fillDefaults, type Model, type Operation } from "./model.js";
import { renderPage } from "./visualize-page.js";

export interface VisualizeOptions<I, O> {
  /** Heading per partition; default: the model's describePartition, else "partition <i>". */
  partitionTitle?: (ops: readonly Operation<I, O>[], index: number) => string;
  /** Longer descriptions and states keep their start and end around a "…" (default 400). */
  maxText?: number;
  /**
   * Partitions that are ok are only context: their texts are cut to a third of maxText,
   * and their states are left out beyond this many ops (default 2000), to keep the file
   * small enough for a browser when the history is large.
   */
  okStatesUpTo?: number;
  /** At most this many partial linearizations per partition, longest first (default 40). */
  maxLinearizations?: number;
}

export interface VisOp {
  client: number;
  call: number;
  ret: number;
  /** Position of the call and return among the partition's events (the drawing's x axis). */
  callSlot: number;
  retSlot: number;
  desc: string;
}

export interface VisLinearization {
  /** Op indices in linearization order, and the state after each (none: not recorded). */
  ops: number[];
  states: string[];
}

export interface VisPartition {
  title: string;
  status: PartitionStatus;
  initState: string;
  ops: VisOp[];
  linearizations: VisLinearization[];
  /** Per op: the index of the longest linearization that contains it, or -1. */
  largest: number[];
  /** Ops that could have come next after the longest prefix, but none of them fits. */
  stuck: number[];
}

export interface VisData {
  result: string;
  partitions: VisPartition[];
}

export function visualizationData<S, I, O>(
  model: Model<S, I, O>,
  info: LinearizationInfo<I, O>,
  opts: VisualizeOptions<I, O> = {},
): VisData {
  const m = fillDefaults(model);
  const maxText = opts.maxText ?? 400;
  const statuses = info.partitions.map((p) => p.status);
  const result = statuses.includes("illegal") ? "illegal" : statuses.includes("unknown") ? "unknown" : statuses.includes("unchecked") ? "unchecked" : "ok";

  const partitions = info.partitions.map((p, pi): VisPartition => {
    const context = p.status === "ok";
    const limit = context ? Math.ceil(maxText / 3) : maxText;
    const clip = (s: string): string => elide(s, limit);
    const withStates = !context || p.ops.length <= (opts.okStatesUpTo ?? 2000);
    const events = eventOrder(p.ops);
    const slots = new Array<number>(events.length);
    events.forEach((ev, slot) => (slots[ev] = slot));
    const ops = p.ops.map(
      (op, k): VisOp => ({
        client: op.clientId,
        call: op.call,
        ret: op.return,
        callSlot: slots[2 * k]!,
        retSlot: slots[2 * k + 1]!,
        desc: clip(m.describeOperation(op.input, op.output)),
      }),
    );

    const chosen = p.partials.slice(0, opts.maxLinearizations ?? 40);
    const linearizations = chosen.map((seq): VisLinearization => {
      let state = m.init();
      const states = seq.map((k) => {
        const op = p.ops[k]!;
        const [ok, next] = m.step(state, op.input, op.output);
        if (!ok) throw new Error(`porcupine: internal error: partial linearization fails to replay at op ${k}`);
        state = next;
        return withStates ? clip(m.describeState(state)) : "";
      });
      return { ops: seq, states: withStates ? states : [] };
    });

    // Longest first, so the first linearization that holds an op is its largest.
    const largest = new Array<number>(p.ops.length).fill(-1);
    chosen.forEach((seq, li) => seq.forEach((k) => largest[k] === -1 && (largest[k] = li)));

    return {
      title: opts.partitionTitle
        ? opts.partitionTitle(p.ops, pi)
        : (model.describePartition?.(p.ops) ?? `partition ${pi}`),
      status: p.status,
      initState: clip(m.describeState(m.init())),
      ops,
      linearizations,
      largest,
      stuck: p.status === "illegal" ? stuckAfter(ops, chosen[0] ?? []) : [],
    };
  });
  return { result, partitions };
}

/**
 * After a longest prefix, the ops that were candidates to go next: not linearized, and
 * called before the earliest return among the ops left. All of them failed.
 */
function stuckAfter(ops: readonly VisOp[], prefix: readonly number[]): number[] {
  const done = new Set(prefix);
  const left = ops.map((_, k) => k).filter((k) => !done.has(k));
  if (left.length === 0) return [];
  const firstRet = left.reduce((a, k) => Math.min(a, ops[k]!.retSlot), Infinity);
  return left.filter((k) => ops[k]!.callSlot < firstRet);
}

function elide(s: string, max: number): string {
  if (s.length <= max) return s;
  const head = Math.floor(max / 4);
  const tail = max - head;
  return `${s.slice(0, head)} …[${s.length - max} more chars]… ${s.slice(s.length - tail)}`;
}

export function renderVisualization<S, I, O>(
  model: Model<S, I, O>,
  info: LinearizationInfo<I, O>,
  opts: VisualizeOptions<I, O> = {},
): string {
  return renderPage(visualizationData(model, info, opts));
}

export function writeVisualization<S, I, O>(
  model: Model<S, I, O>,
  info: LinearizationInfo<I, O>,
  file: string,
  opts: VisualizeOptions<I, O> = {},
): void {
  writeFileSync(file, renderVisualization(model, info, opts));
}

/** Writes the page to a fresh temp dir (like the course's *.html temp file); returns its path. */
export function writeVisualizationToTemp<S, I, O>(
  model: Model<S, I, O>,
  info: LinearizationInfo<I, O>,
  opts: VisualizeOptions<I, O> = {},
): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "porcupine-")), "history.html");
  writeVisualization(model, info, file, opts);
  return file;
}
