import { describe, expect, it } from "vitest";
import { Rand } from "../runtime/rand.js";
import { Bitset } from "./bitset.js";
import { Memo } from "./memo.js";

describe("Bitset", () => {
  it("tracks membership, count and a canonical compact form under random set/clear", () => {
    const rand = new Rand(5, "bitset-test");
    const n = 200;
    const bits = new Bitset(n);
    const ref = new Set<number>();
    const store = new Uint32Array(64);
    for (let t = 0; t < 5000; t++) {
      // Mostly grow a prefix, as the search does, with some churn.
      const i = rand.random() < 0.7 ? Math.min(n - 1, ref.size + rand.randInt(8)) : rand.randInt(n);
      if (ref.has(i)) {
        bits.clear(i);
        ref.delete(i);
      } else {
        bits.set(i);
        ref.add(i);
      }
      expect(bits.popcount).toBe(ref.size);
      expect(bits.has(i)).toBe(ref.has(i));
      // A fresh bitset with the same members has the same key and stored form.
      const twin = new Bitset(n);
      for (const k of ref) twin.set(k);
      expect(twin.key()).toBe(bits.key());
      bits.copyActiveWords(store, 0);
      expect(twin.equalsWords(bits.fullWords, store, 0, bits.activeWords)).toBe(true);
    }
  });

  it("tells different sets apart in stored form", () => {
    const a = new Bitset(100);
    const b = new Bitset(100);
    for (let i = 0; i < 40; i++) a.set(i);
    for (let i = 0; i < 40; i++) b.set(i);
    b.clear(3);
    b.set(90);
    const store = new Uint32Array(8);
    a.copyActiveWords(store, 0);
    expect(b.equalsWords(a.fullWords, store, 0, a.activeWords)).toBe(false);
    expect(a.equalsWords(a.fullWords, store, 0, a.activeWords)).toBe(true);
  });
});

describe("Memo", () => {
  it("admits each (set, state) pair once, by state equality", () => {
    const memo = new Memo<string>(undefined, undefined);
    const bits = new Bitset(10);
    bits.set(1);
    expect(memo.add(bits, "a")).toBe(true);
    expect(memo.add(bits, "a")).toBe(false);
    expect(memo.add(bits, "b")).toBe(true);
    bits.set(2);
    expect(memo.add(bits, "a")).toBe(true);
    bits.clear(2);
    expect(memo.add(bits, "b")).toBe(false);
    expect(memo.size).toBe(3);
  });

  it("stays exact when one set is reached in many states (indexed by state)", () => {
    const memo = new Memo<string>(undefined, undefined);
    const bits = new Bitset(40);
    for (let i = 0; i < 30; i++) bits.set(i);
    for (let k = 0; k < 100; k++) expect(memo.add(bits, `s${k}`)).toBe(true);
    for (let k = 0; k < 100; k++) expect(memo.add(bits, `s${k}`)).toBe(false);
    bits.clear(0);
    for (let k = 0; k < 100; k++) expect(memo.add(bits, `s${k}`)).toBe(true);
  });

  it("uses a custom equality and hash", () => {
    const memo = new Memo<{ v: number }>((a, b) => a.v === b.v, (s) => s.v);
    const bits = new Bitset(4);
    expect(memo.add(bits, { v: 1 })).toBe(true);
    expect(memo.add(bits, { v: 1 })).toBe(false);
    expect(memo.add(bits, { v: 2 })).toBe(true);
  });
});
