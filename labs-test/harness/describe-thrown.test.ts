import { expect, test } from "vitest";
import { describeThrown, messageOf } from "./describe-thrown.js";
import { runGraded } from "./run-graded.js";
import { capText, firstLineOf, scrubDeep, scrubText } from "./safe-text.js";

// What submitted code can throw, and the text made of it: never a second exception, never
// more than the cap, always well-formed.

const everyTrapThrows = new Proxy(
  {},
  new Proxy({}, { get: () => () => { throw new Error("trap"); } }),
);

class BadMessage extends Error {
  override get message(): string {
    throw new Error("no message for you");
  }
}

const hostile: Array<[string, unknown, RegExp]> = [
  ["an object without a prototype", Object.create(null) as object, /an object without a prototype: \{ {2}\}/],
  ["a toString that throws", { toString: () => { throw new Error("nope"); }, code: 7 }, /not an Error: \{ toString: \[function\], code: 7 \}/],
  ["a getter that throws", Object.defineProperty({}, "x", { get: () => { throw new Error("g"); }, enumerable: true }), /\{ x: \[getter\] \}/],
  ["an Error whose message getter throws", new BadMessage(), /BadMessage|Error/],
  ["a Proxy whose every trap throws", everyTrapThrows, /thrown|cannot be described/],
  ["a cycle", (() => { const a: Record<string, unknown> = { n: 1 }; a.self = a; return a; })(), /self: \[cycle\]/],
  ["a plain object with a message", { message: "went wrong", at: [1, 2] }, /^went wrong \(thrown: an object that is not an Error: \{ message: "went wrong", at: \[1, 2\] \}\)/],
  ["a number", 42, /a thrown number: 42/],
  ["undefined", undefined, /a thrown undefined/],
  ["a symbol", Symbol("s"), /a thrown symbol/],
  ["a function", () => 1, /a thrown function/],
  ["an Error", new Error("plain"), /^Error: plain\n\s+at /],
];

test.each(hostile)("%s is described without throwing", (_what, v, re) => {
  const text = describeThrown(v);
  expect(text).toMatch(re);
  expect(() => messageOf(v)).not.toThrow();
  expect(typeof messageOf(v)).toBe("string");
});

test("a 30 MB message is cut to the cap, in either form", () => {
  const huge = "x".repeat(30 * 1024 * 1024);
  const e = new Error(huge);
  for (const v of [huge, e]) {
    const text = describeThrown(v, 8192);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(8192);
    expect(text).toMatch(/… \(cut\)$/);
  }
  expect(Buffer.byteLength(firstLineOf(messageOf(e)))).toBeLessThanOrEqual(1024);
});

test("text is scrubbed of NUL, other controls and lone surrogates; a cut never splits a character", () => {
  expect(scrubText("a\u0000b\u001bc\td\ne\uD800f\uDC00g😀")).toBe("a\uFFFDb\uFFFDc\td\ne\uFFFDf\uFFFDg😀");
  const emoji = "😀".repeat(1000);
  const cut = capText(emoji, 101, "");
  expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(101);
  expect(cut).toBe("😀".repeat(25));
  expect(scrubDeep({ "k\u0000": ["\uD800", { s: "ok" }], n: 3 }, 100)).toEqual({ "k\uFFFD": ["\uFFFD", { s: "ok" }], n: 3 });
});

test.each(hostile.slice(0, 6))("runGraded fails at once, with text, on a test that throws %s", async (_what, v) => {
  const { result } = await runGraded("TestThrows", async () => {
    throw v;
  }, {}, { seed: 1, realtime: false });
  expect(result.passed).toBe(false);
  expect(typeof result.error).toBe("string");
});
