import { expect, test } from "vitest";
import { graded } from "../labs-test/harness/graded.js";
import { codecErrorCount, decode, decodeInto, encode } from "./codec.js";

// The course's labgob tests, adapted: TypeScript has no lower-case-field hazard, but
// values JSON would silently change (class instances, Maps, undefined) play its part.

interface T1 {
  t1int0: number;
  t1int1: number;
  t1string0: string;
  t1string1: string;
}
interface T3 {
  kind: "T3";
  t3int999: number;
}
interface T2 {
  t2slice: T1[];
  t2map: Record<number, T1>;
  t2any: T1 | T3;
}

graded("TestGOB", async () => {
  const e0 = codecErrorCount();
  const t1: T1 = { t1int0: 0, t1int1: 1, t1string0: "", t1string1: "6.824" };
  const t2: T2 = {
    t2slice: [{ t1int0: 0, t1int1: 0, t1string0: "", t1string1: "" }, t1],
    t2map: { 99: { t1int0: 1, t1int1: 2, t1string0: "x", t1string1: "y" } },
    t2any: { kind: "T3", t3int999: 999 },
  };
  const blobs = [encode(0), encode(1), encode(t1), encode(t2)];
  expect(decode(blobs[0]!)).toBe(0);
  expect(decode(blobs[1]!)).toBe(1);
  const d1 = decode(blobs[2]!) as T1;
  expect(d1).toEqual(t1);
  const d2 = decode(blobs[3]!) as T2;
  expect(d2.t2slice.length).toBe(2);
  expect(d2.t2slice[1]!.t1int1).toBe(1);
  expect(Object.keys(d2.t2map).length).toBe(1);
  expect(d2.t2map[99]!.t1string1).toBe("y"); // numeric keys still index the decoded object
  expect(d2.t2any).toEqual({ kind: "T3", t3int999: 999 });
  expect(codecErrorCount(), "the round trip raised codec warnings").toBe(e0);
  // Bytes travel as bytes, not as an object with numeric keys.
  const snap = decode(encode({ data: new Uint8Array([0, 1, 255]) })) as { data: Uint8Array };
  expect(snap.data).toBeInstanceOf(Uint8Array);
  expect([...snap.data]).toEqual([0, 1, 255]);
});

// A class instance keeps its fields across the wire but loses its methods: warn, once.
class T4 {
  yes = 1;
  no(): number {
    return this.yes;
  }
}

graded("TestCapital", async () => {
  const e0 = codecErrorCount();
  const v: Array<Record<string, T4>> = [{ a: new T4() }];
  const back = decode(encode(v)) as Array<Record<string, { yes: number }>>;
  expect(back[0]!.a!.yes).toBe(1);
  expect(codecErrorCount() - e0, "expected exactly one warning for the class instance").toBe(1);
  encode([{ b: new T4() }]);
  expect(codecErrorCount() - e0, "the same class was warned about twice").toBe(1);
});

graded("TestDefault", async () => {
  const e0 = codecErrorCount();
  const target = { x: 99 };
  decodeInto(target, encode({ x: 0 }));
  expect(target.x).toBe(0); // every field is overwritten
  expect(codecErrorCount() - e0, "decoding into a non-default value should warn").toBe(1);
});

test("values that cannot cross the wire name the field", () => {
  expect(() => encode({ a: { b: () => 1 } }, "args")).toThrow(/args\.a\.b is a function/);
  expect(() => encode({ n: 10n }, "args")).toThrow(/args\.n is a bigint/);
  expect(() => encode({ s: new Set([1]) }, "args")).toThrow(/args\.s is a Set/);
  expect(() => encode({ d: new Date(0) }, "args")).toThrow(/args\.d is a Date/); // static-check: allow
  expect(() => encode({ x: Number.NaN }, "args")).toThrow(/args\.x is NaN/);
  expect(() => encode({ s: Symbol("q") }, "args")).toThrow(/args\.s is a symbol/);
  const cyc: { self?: unknown } = {};
  cyc.self = cyc;
  expect(() => encode(cyc, "args")).toThrow(/args\.self refers back to itself/);
});

test("absent optional fields are omitted, like gob's zero values", () => {
  expect(decode(encode({ a: 1, b: undefined }))).toEqual({ a: 1 });
});

test("garbage bytes decode to a clear error", () => {
  expect(() => decode(new Uint8Array([0x7b, 0x22, 0xff]), "raft state")).toThrow(/raft state is not valid encoded data/);
});

test("deep values and shared (acyclic) references encode; a deep cycle is still named", () => {
  let deep: unknown = "leaf";
  for (let i = 0; i < 300; i++) deep = { d: deep };
  expect(JSON.stringify(decode(encode(deep)))).toBe(JSON.stringify(deep));
  const shared = { x: 1 };
  expect(decode(encode({ a: shared, b: [shared, shared] }))).toEqual({ a: { x: 1 }, b: [{ x: 1 }, { x: 1 }] });
  const ring: { next?: unknown } = {};
  let head: { next?: unknown } = ring;
  for (let i = 0; i < 150; i++) head = { next: head };
  ring.next = head;
  expect(() => encode({ head }, "args")).toThrow(/args\.head(\.next)+ refers back to itself/);
});
