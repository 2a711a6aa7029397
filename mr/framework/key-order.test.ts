import { expect, test } from "vitest";
import { compareKeys } from "./key-order.js";
import { ihash } from "../worker.js";

test("keys sort by UTF-8 bytes, as Go's sort.Strings does", () => {
  const keys = ["b", "a", "B", "é", "\u{1F600}", "\uFF21", "ab", "a"];
  const sorted = [...keys].sort(compareKeys);
  const byBytes = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
  expect(sorted).toEqual(byBytes);
  // Where plain UTF-16 order differs: an astral character sorts after U+FF21.
  expect(compareKeys("\u{1F600}", "\uFF21")).toBeGreaterThan(0);
  expect("\u{1F600}" < "\uFF21").toBe(true);
});

test("ihash is FNV-1a over UTF-8, masked to 31 bits", () => {
  expect(ihash("")).toBe(0x811c9dc5 & 0x7fffffff);
  expect(ihash("a")).toBe(0xe40c292c & 0x7fffffff);
  expect(ihash("foobar")).toBe(0xbf9cf968 & 0x7fffffff);
  // Non-ASCII goes through its UTF-8 bytes: "é" is c3 a9.
  let h = 0x811c9dc5;
  for (const b of [0x78, 0xc3, 0xa9]) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  expect(ihash("xé")).toBe(h & 0x7fffffff);
});
