import { expect, test } from "vitest";
import { Rand } from "../runtime/rand.js";
import { IMAGE_MIN_LENGTH } from "./codec-bytes.js";
import { CodecError, codecErrorCount, decode, encode, encodeText } from "./codec.js";

// encode()'s fast path (codec-bytes.ts) reuses what encoding the same long arrays gave
// before. Whatever a program does to its objects between encodings, the
// output must be exactly JSON.stringify's for the value as it is then, and every error
// the same as for a value never seen before.

const utf8 = new TextEncoder();

/** What the codec's output must be: JSON.stringify's text, bytes as {"$bytes": base64}. */
function expected(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (x instanceof Uint8Array ? { $bytes: Buffer.from(x).toString("base64") } : x));
}

/** Check encode() (mode 0), encodeText() (1) or both in either order (2, 3): each keeps records of its own kind. */
function expectSame(v: unknown, mode = 2): void {
  const want = expected(v);
  const bytes = (): void => expect(Buffer.from(encode(v)).equals(Buffer.from(utf8.encode(want)))).toBe(true);
  const text = (): void => expect(encodeText(v)).toBe(want);
  if (mode === 0) bytes();
  else if (mode === 1) text();
  else if (mode === 2) (text(), bytes());
  else (bytes(), text());
}

const STRINGS = ["", "a", "key", "x 1 2 y", 'q"uo\\te', "line\nbreak", "tab\t", "é", "日本", "🙂", "\ud800", "\u0000", "__proto__", "0", "12", "-1"];

function randomPrimitive(r: Rand): unknown {
  switch (r.randInt(8)) {
    case 0:
      return r.randInt(1000);
    case 1:
      return [0, -0, 1.5, -2.25, 1e21, 3274982374982374, Number.MAX_SAFE_INTEGER, 5e-324][r.randInt(8)];
    case 2:
      return r.randInt(2) === 0;
    case 3:
      return null;
    default:
      return STRINGS[r.randInt(STRINGS.length)]! + (r.randInt(3) === 0 ? String(r.randInt(100)) : "");
  }
}

function randomValue(r: Rand, depth: number): unknown {
  const k = depth > 3 ? 9 : r.randInt(12);
  if (k < 6 || depth > 3) return randomPrimitive(r);
  if (k === 6) return new Uint8Array(Array.from({ length: r.randInt(5) }, () => r.randInt(256)));
  if (k < 9) return Array.from({ length: r.randInt(6) }, () => randomValue(r, depth + 1));
  const o: Record<string, unknown> = k === 11 ? (Object.create(null) as Record<string, unknown>) : {};
  for (let i = r.randInt(6); i > 0; i--) o[STRINGS[r.randInt(STRINGS.length)]! + String(r.randInt(4))] = randomValue(r, depth + 1);
  if (r.randInt(5) === 0) o.absent = undefined;
  return o;
}

/** Every container reachable from v (an array or plain object), for picking one to change. */
function containers(v: unknown, out: Array<unknown[] | Record<string, unknown>> = []): Array<unknown[] | Record<string, unknown>> {
  if (typeof v !== "object" || v === null || v instanceof Uint8Array) return out;
  out.push(v as unknown[] | Record<string, unknown>);
  for (const x of Object.values(v)) containers(x, out);
  return out;
}

/** One change somewhere inside root, of the kinds programs make. */
function mutate(r: Rand, root: unknown): void {
  const cs = containers(root).slice(1); // the root keeps its fields
  if (cs.length === 0) return;
  const c = cs[r.randInt(cs.length)]!;
  if (Array.isArray(c)) {
    switch (r.randInt(6)) {
      case 0:
        c.push(randomValue(r, 2));
        break;
      case 1:
        c.pop();
        break;
      case 2:
        if (c.length > 0) c[r.randInt(c.length)] = randomValue(r, 2);
        break;
      case 3:
        c.splice(r.randInt(c.length + 1), r.randInt(3), randomValue(r, 3));
        break;
      case 4:
        c.reverse();
        break;
      default:
        c.length = r.randInt(c.length + 1);
    }
    return;
  }
  const keys = Object.keys(c);
  const key = keys.length > 0 && r.randInt(3) > 0 ? keys[r.randInt(keys.length)]! : `k${r.randInt(5)}`;
  switch (r.randInt(4)) {
    case 0:
      delete c[key];
      break;
    case 1: {
      // the same keys and values in another order: the text changes
      const v = c[key];
      delete c[key];
      c[key] = v;
      break;
    }
    case 2:
      c[key] = undefined;
      break;
    default:
      c[key] = randomValue(r, 2);
  }
  for (const b of Object.values(c)) if (b instanceof Uint8Array && b.length > 0 && r.randInt(2) === 0) b[0] = (b[0]! + 1) % 256;
}

test("random values under random changes encode exactly as JSON.stringify does", () => {
  const r = new Rand(20240611, "codec-fast");
  for (let round = 0; round < 300; round++) {
    const v = { top: randomValue(r, 0), more: [randomValue(r, 1), randomValue(r, 1)] };
    for (let step = 0; step < 30; step++) {
      expectSame(v, r.randInt(4));
      expectSame(v.more, r.randInt(4)); // the same objects reached from another top
      mutate(r, v);
    }
  }
});

interface Entry {
  term: number;
  command: unknown;
}

/** A log entry as a student writes it (an object) or as our reference does (a [term, command] tuple). */
function entry(r: Rand, i: number): Entry | [number, unknown] {
  const command =
    r.randInt(4) === 0 ? i : r.randInt(2) === 0 ? { op: "Append", key: String(i % 5), value: `x ${i} y é`, clientId: 3274982374982374 + (i % 7), seq: i } : ["A", String(i % 5), `x ${i} y`, 3274982374982374 + (i % 7), i];
  return r.randInt(3) === 0 ? [1 + (i >> 4), command] : { term: 1 + (i >> 4), command };
}

class Tagged {
  tag = 1;
}

/** Change an entry in place, in one of the ways that change its text (or only might). */
function changeInPlace(r: Rand, e: Entry | [number, unknown]): void {
  const c: unknown = Array.isArray(e) ? e[1] : e.command;
  const kind = r.randInt(8);
  if (kind === 0 || typeof c !== "object" || c === null) {
    if (Array.isArray(e)) e[0]++;
    else e.term++;
    return;
  }
  if (Array.isArray(c)) {
    if (kind === 1) c.pop();
    else if (kind === 2) c.push(r.randInt(9));
    else if (kind === 3) Object.setPrototypeOf(c, Tagged.prototype);
    else if (kind === 4) Object.defineProperty(c, "toJSON", { value: () => "replaced", enumerable: false });
    else c[r.randInt(c.length)] = `${String(c[0])}!`;
    return;
  }
  const o = c as Record<string, unknown>;
  const keys = Object.keys(o);
  if (kind === 1) delete o[keys[keys.length - 1]!];
  else if (kind === 2) o.extra = r.randInt(9);
  else if (kind === 3) Object.setPrototypeOf(o, Tagged.prototype);
  else if (kind === 4) Object.defineProperty(o, "toJSON", { value: () => "replaced", enumerable: false });
  else o[keys[r.randInt(keys.length)]!] = `${keys.length}!`;
}

test("a persisted log: appends, truncation, slice and concat copies, entries changed in place, a new head", () => {
  const r = new Rand(7, "codec-fast-log");
  // around IMAGE_MIN_LENGTH entries, so that the log goes in and out of having an image
  let log: Array<Entry | [number, unknown]> = [{ term: 0, command: null }];
  for (let i = 1; i < IMAGE_MIN_LENGTH + 5; i++) log.push(entry(r, i));
  let next = log.length;
  const state = (): unknown => ({ term: 3, votedFor: r.randInt(3) - 1, log });
  for (let step = 0; step < 2000; step++) {
    const s = state();
    expectSame(s, step < 1000 ? 0 : r.randInt(4));
    if (step % 50 === 0) expect(decode(encode(s))).toEqual(JSON.parse(expected(s)));
    // Tagged's warning is printed once, by the checked path, like any class instance's
    switch (r.randInt(10)) {
      case 0:
      case 1:
      case 2:
        log.push(entry(r, next++));
        break;
      case 3:
        log.length = Math.max(1, log.length - r.randInt(log.length > IMAGE_MIN_LENGTH + 20 ? 20 : 5));
        break;
      case 4:
        log = log.slice(0, Math.max(1, log.length - r.randInt(5))).concat([entry(r, next++), entry(r, next++)]);
        break;
      case 5:
        changeInPlace(r, log[r.randInt(log.length)]!);
        break;
      case 6:
        log[r.randInt(log.length)] = entry(r, next++);
        break;
      case 7:
        if (r.randInt(10) === 0) log = [{ term: 9, command: null }, ...log.slice(Math.min(log.length - 1, 1 + r.randInt(10)))];
        break;
      case 8:
        log.splice(1 + r.randInt(log.length), 0, entry(r, next++));
        break;
      default:
      // unchanged: the same bytes again
    }
  }
});

test("an object changed after it was encoded gives the checked path's error, not its old text", () => {
  const e = { term: 1, command: { op: "Put", key: "k", value: "v" } };
  const log: unknown[] = [];
  for (let i = 0; i < IMAGE_MIN_LENGTH + 10; i++) log.push(i === 5 ? e : { term: 1, command: i });
  const st = { term: 1, log };
  expectSame(st);
  const bad: Array<[(c: Record<string, unknown>) => void, RegExp]> = [
    [(c) => (c.value = Number.NaN), /raft state\.log\[5\]\.command\.value is NaN/],
    [(c) => (c.value = () => 1), /raft state\.log\[5\]\.command\.value is a function/],
    [(c) => (c.value = new Map()), /raft state\.log\[5\]\.command\.value is a Map/],
    [(c) => (c.value = st), /raft state\.log\[5\]\.command\.value(\.log\[5\]\.command\.value)* refers back to itself/],
    [(c) => (c.value = 10n), /is a bigint/],
  ];
  for (const [change, want] of bad) {
    const saved = e.command.value;
    change(e.command);
    expect(() => encode(st, "raft state")).toThrow(want);
    expect(() => encodeText(st, "raft state")).toThrow(CodecError);
    e.command.value = saved;
    expectSame(st);
  }
});

test("bytes inside a long array are read afresh every time", () => {
  const log: unknown[] = [{ term: 0 }];
  const b = new Uint8Array([1, 2, 3]);
  for (let i = 1; i < IMAGE_MIN_LENGTH + 10; i++) log.push({ term: i, data: i === 10 ? b : null });
  expectSame({ log });
  b[1] = 200;
  expectSame({ log });
  expect((decode(encode({ log })) as { log: Array<{ data: Uint8Array | null }> }).log[10]!.data![1]).toBe(200);
});

test("a getter's latest value is what is encoded, and an encoding inside a getter is its own", () => {
  let reads = 0;
  const inner: unknown[] = [];
  for (let i = 0; i < IMAGE_MIN_LENGTH; i++) inner.push({ i });
  const o = {
    get g(): number {
      reads++;
      expect(encodeText({ inner })).toBe(expected({ inner }));
      return reads;
    },
  };
  const log: unknown[] = [o];
  for (let i = 0; i < IMAGE_MIN_LENGTH; i++) log.push({ i });
  for (let i = 0; i < 3; i++) {
    const back = JSON.parse(Buffer.from(encode({ log })).toString()) as { log: unknown[] };
    expect(back).toEqual({ log: [{ g: reads }, ...log.slice(1)] });
    expect(JSON.parse(encodeText({ log })) as unknown).toEqual({ log: [{ g: reads }, ...log.slice(1)] });
  }
});

test("each kind of change in place to a logged entry shows in the next encoding", () => {
  const changes: Array<[string, (e: { term: number; command: Record<string, unknown>; args: unknown[] }) => void]> = [
    ["a value", (e) => (e.command.value = "changed")],
    ["the last key deleted", (e) => delete e.command.seq],
    ["a key added", (e) => (e.command.more = 1)],
    ["keys reordered", (e) => { const v = e.command.op; delete e.command.op; e.command.op = v; }],
    ["an array element", (e) => (e.args[1] = "changed")],
    ["an array shortened", (e) => e.args.pop()],
    ["an array lengthened", (e) => e.args.push(0)],
    ["an object's prototype", (e) => Object.setPrototypeOf(e.command, Tagged.prototype)],
    ["an array's prototype", (e) => Object.setPrototypeOf(e.args, Tagged.prototype)],
    ["a hidden toJSON", (e) => Object.defineProperty(e.command, "toJSON", { value: () => "replaced", enumerable: false })],
    ["a hidden toJSON on an array", (e) => Object.defineProperty(e.args, "toJSON", { value: () => "replaced", enumerable: false })],
    ["an equal copy of a string", (e) => (e.command.value = ["x", "1"].join(" "))],
    ["an object swapped for an equal one", (e) => (e.command = { ...e.command })],
  ];
  for (const [what, change] of changes) {
    // long enough for an image, with entries well inside it and at its end
    const length = Math.max(IMAGE_MIN_LENGTH, 48) + 10;
    for (const at of [1, 2, 40, 41, length - 2, length - 1]) {
      const log = [];
      for (let i = 0; i < length; i++) {
        const command: Record<string, unknown> = { op: "Put", value: "x 1", seq: i };
        const args: unknown[] = ["a", i, { n: i }];
        // either may be the entry's last field, where a shortened node is hardest to notice
        log.push(i % 2 === 0 ? { term: i, command, args } : { term: i, args, command });
      }
      const st = { term: 1, log };
      expectSame(st, 0);
      expectSame(st, 0);
      // an RPC's arguments: entries from some index on, encoded as text
      const args = { term: 1, entries: log.slice(at - 1) };
      expectSame(args, 1);
      expectSame(args, 1);
      change(log[at]!);
      const want = expected(st);
      expect(Buffer.from(encode(st)).toString(), `${what} at ${at}`).toBe(want);
      expect(encodeText(args), `${what} at ${at}, as text`).toBe(expected(args));
      // a log with a new first element (after a snapshot) has no image yet: its entries'
      // texts from the encodings above must not be taken for the changed one
      const renewed = { term: 1, log: [{ term: 0 }, ...log.slice(1)] };
      expect(Buffer.from(encode(renewed)).toString(), `${what} at ${at}, under a new head`).toBe(expected(renewed));
    }
  }
});

test("one long array twice in one value, or a shorter copy of it beside it, encodes exactly", () => {
  const r = new Rand(11, "codec-fast-twice");
  const log: Array<Entry | [number, unknown]> = [];
  for (let i = 0; i < IMAGE_MIN_LENGTH + 30; i++) log.push(entry(r, i));
  for (let step = 0; step < 20; step++) {
    const cut = IMAGE_MIN_LENGTH + r.randInt(20);
    // the second array shares the first's head, so the same image is used twice, and changed between
    expectSame({ a: log, b: log.slice(0, cut) }, r.randInt(4));
    expectSame({ a: log.slice(0, cut), b: log }, r.randInt(4));
    expectSame([log, log, { c: log.slice(0, cut) }], r.randInt(4));
    log.push(entry(r, 1000 + step));
  }
});

test("RPC arguments: entries sent again from other indices, changed in place between sends, encode exactly", () => {
  const r = new Rand(12, "codec-fast-rpc");
  const log: Array<Entry | [number, unknown]> = [];
  for (let i = 0; i < 40; i++) log.push(entry(r, i));
  for (let step = 0; step < 3000; step++) {
    const from = r.randInt(log.length);
    const args = { term: 3, leaderId: 1, prevLogIndex: from, entries: log.slice(from), leaderCommit: 2 };
    expect(encodeText(args)).toBe(expected(args));
    if (step % 100 === 0) expect(decode(encode(args))).toEqual(JSON.parse(expected(args)));
    const k = r.randInt(6);
    if (k === 0) log.push(entry(r, 100 + step));
    else if (k === 1 || k === 2) {
      const i = r.randInt(log.length);
      const e = log[i]!;
      const c: unknown = Array.isArray(e) ? e[1] : e.command;
      // a command already given a hidden toJSON or another prototype is replaced instead
      const plain = typeof c !== "object" || c === null || (!("toJSON" in c) && [Object.prototype, Array.prototype].includes(Object.getPrototypeOf(c) as object));
      if (k === 1 && plain) changeInPlace(r, e);
      else log[i] = entry(r, 100 + step);
    }
  }
});

test("an entry that turns bad after it was sent gives the checked path's error in the next RPC", () => {
  const e = { term: 1, command: { op: "Put", key: "k", value: "v" } };
  const args = { term: 1, entries: [{ term: 1, command: 0 }, e, { term: 1, command: 2 }] };
  expectSame(args, 1);
  e.command.value = Number.NaN as unknown as string;
  expect(() => encodeText(args, "args of Raft.AppendEntries")).toThrow(/args of Raft\.AppendEntries\.entries\[1\]\.command\.value is NaN/);
  e.command.value = "v";
  expectSame(args, 1);
  (e.command as Record<string, unknown>).value = () => 1;
  expect(() => encodeText(args, "args")).toThrow(/args\.entries\[1\]\.command\.value is a function/);
  (e.command as Record<string, unknown>).value = args;
  expect(() => encodeText(args, "args")).toThrow(/refers back to itself/);
});

test("an array's prototype changed in place: the text and warnings are the checked path's, at every depth", () => {
  // The comparison reads no array's prototype (an array's text depends on it only through
  // toJSON and holes): each prototype below must still give exactly JSON.stringify's text.
  class Plain {}
  class WithToJSON {
    toJSON(): string {
      return "replaced";
    }
  }
  const withIndex = Object.create(Array.prototype, { 1: { value: "from the prototype", enumerable: true } }) as object;
  const hidesToJSON = new Proxy(Object.create(Array.prototype) as object, {
    has: (t, k) => (k === "toJSON" ? false : Reflect.has(t, k)),
    get: (t, k, r) => (k === "toJSON" ? () => "proxied" : (Reflect.get(t, k, r) as unknown)),
  });
  const protos: Array<[string, object, (a: unknown[]) => void]> = [
    ["a class without toJSON", Plain.prototype, () => {}],
    ["a class with toJSON", WithToJSON.prototype, () => {}],
    ["an array with an index, and a hole there", withIndex, (a) => delete a[1]],
    ["a proxy that hides toJSON from `in`", hidesToJSON, () => {}],
    ["Object.prototype", Object.prototype, () => {}],
    ["null", null as unknown as object, () => {}],
  ];
  for (const [what, proto, after] of protos) {
    for (const depth of [1, 2, 3]) {
      for (const at of [1, 20, 39]) {
        const log: Array<{ term: number; cmd: unknown[] }> = [];
        for (let i = 0; i < 40; i++) log.push({ term: i, cmd: ["Put", i, "k", ["x", i, "z", ["y", i]]] });
        const st = { term: 1, log };
        expectSame(st, 0);
        expectSame(st, 0);
        expectSame({ entries: log.slice(at - 1) }, 1);
        let target: unknown[] = log[at]!.cmd;
        for (let d = 1; d < depth; d++) target = target[3] as unknown[];
        const warnings = codecErrorCount();
        Object.setPrototypeOf(target, proto);
        after(target);
        expect(Buffer.from(encode(st)).toString(), `${what}, depth ${depth}, entry ${at}`).toBe(expected(st));
        expect(encodeText({ entries: log.slice(at - 1) }), `${what}, depth ${depth}, entry ${at}, as text`).toBe(expected({ entries: log.slice(at - 1) }));
        expect(codecErrorCount(), "the checked path never warns about an array").toBe(warnings);
      }
    }
  }
});
