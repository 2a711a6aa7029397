// Export a timeline to the Chrome trace-event JSON that the Perfetto UI and
// chrome://tracing open: one process, a thread per lane (peers, tester, clerks), role and
// down bands and clerk ops as complete ("X") slices, RPCs as slices on the sender's
// thread joined to the receiver by flow events ("s"/"f"), the rest as instant events.
// Times are virtual ms, written as the format's microseconds.
import { BAND_CUT, BAND_DOWN, RPC_DROPPED, RPC_REPLIED, type TimelineModel } from "./timeline-model.js";

export interface TraceEventJson {
  name: string;
  ph: "X" | "i" | "s" | "f" | "M";
  ts: number;
  pid: number;
  tid: number;
  dur?: number;
  id?: number;
  cat?: string;
  s?: "t" | "p" | "g";
  bp?: "e";
  args?: Record<string, unknown>;
}

export interface PerfettoTrace {
  traceEvents: TraceEventJson[];
  displayTimeUnit: "ms";
  otherData: Record<string, string>;
}

const PID = 1;
const us = (ms: number): number => Math.round(ms * 1000);

/** The model as a Chrome trace-event document. */
export function toPerfetto(m: TimelineModel): PerfettoTrace {
  const out: TraceEventJson[] = [];
  out.push({ name: "process_name", ph: "M", ts: 0, pid: PID, tid: 0, args: { name: m.title } });
  m.lanes.forEach((name, i) => {
    out.push({ name: "thread_name", ph: "M", ts: 0, pid: PID, tid: i + 1, args: { name } });
    out.push({ name: "thread_sort_index", ph: "M", ts: 0, pid: PID, tid: i + 1, args: { sort_index: i } });
  });
  const tid = (lane: number): number => lane + 1;
  for (let j = 0; j < m.bands.lane.length; j++) {
    const kind = m.bands.kind[j]!;
    out.push({
      name: m.bands.label[j]!,
      cat: kind === BAND_DOWN ? "down" : kind === BAND_CUT ? "links" : "role",
      ph: "X",
      ts: us(m.bands.t0[j]!),
      dur: us(m.bands.t1[j]! - m.bands.t0[j]!),
      pid: PID,
      tid: tid(m.bands.lane[j]!),
    });
  }
  for (let j = 0; j < m.ops.lane.length; j++) {
    out.push({
      name: m.ops.label[j]!, cat: "op", ph: "X", ts: us(m.ops.call[j]!), dur: us(m.ops.ret[j]! - m.ops.call[j]!),
      pid: PID, tid: tid(m.ops.lane[j]!), args: { key: m.ops.key[j], linearizable: m.ops.bad[j] ? "no" : "yes or unchecked" },
    });
  }
  for (let j = 0; j < m.rpc.send.length; j++) {
    const send = m.rpc.send[j]!;
    const status = m.rpc.status[j]!;
    const end = m.rpc.end[j]! >= 0 ? m.rpc.end[j]! : m.rpc.deliver[j]! >= 0 ? m.rpc.deliver[j]! : send;
    const name = m.methods[m.rpc.method[j]!]!;
    const args = {
      to: m.rpc.to[j]! >= 0 ? m.lanes[m.rpc.to[j]!] : null,
      outcome: status === RPC_REPLIED ? "reply" : status === RPC_DROPPED ? "dropped" : "no reply",
      ...(m.events[m.rpc.endEv[j]!]?.why !== undefined ? { why: m.events[m.rpc.endEv[j]!]!.why } : {}),
    };
    out.push({ name, cat: "rpc", ph: "X", ts: us(send), dur: us(end - send), pid: PID, tid: tid(m.rpc.from[j]!), args });
    if (m.rpc.deliver[j]! >= 0 && m.rpc.to[j]! >= 0) {
      const id = j + 1;
      out.push({ name, cat: "rpc", ph: "s", id, ts: us(send), pid: PID, tid: tid(m.rpc.from[j]!) });
      out.push({ name, cat: "rpc", ph: "f", bp: "e", id, ts: us(m.rpc.deliver[j]!), pid: PID, tid: tid(m.rpc.to[j]!) });
    }
  }
  for (let j = 0; j < m.marks.t.length; j++) {
    const e = m.events[m.marks.ev[j]!]!;
    const { t: _t, peer: _p, ev, ...rest } = e;
    out.push({ name: ev, cat: "event", ph: "i", s: "t", ts: us(m.marks.t[j]!), pid: PID, tid: tid(m.marks.lane[j]!), args: rest });
  }
  if (m.failure !== null) {
    out.push({ name: `FAIL: ${m.failure.text.split("\n")[0]}`, cat: "fail", ph: "i", s: "g", ts: us(m.failure.t), pid: PID, tid: 1 });
  }
  return { traceEvents: out, displayTimeUnit: "ms", otherData: { source: "labs-ts trace", clock: "virtual ms" } };
}
