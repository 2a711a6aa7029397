import { describe, expect, it } from "vitest";
import { kvModel, type KvInput, type KvOperation, type KvState } from "./kv-model.js";

const get = (key: string): KvInput => ({ op: "get", key, value: "" });
const put = (key: string, value: string): KvInput => ({ op: "put", key, value });
const app = (key: string, value: string): KvInput => ({ op: "append", key, value });
const none = { value: "" };

function run(inputs: KvInput[]): KvState {
  let s = kvModel.init();
  for (const i of inputs) {
    const [ok, next] = kvModel.step(s, i, none);
    expect(ok).toBe(true);
    s = next;
  }
  return s;
}

const text = (s: KvState): string => kvModel.describeState!(s);

describe("kvModel", () => {
  it("starts empty; put replaces, append extends, get must see the value", () => {
    expect(text(kvModel.init())).toBe("");
    const s = run([put("k", "ab"), app("k", "c"), app("k", ""), app("k", "de")]);
    expect(text(s)).toBe("abcde");
    expect(kvModel.step(s, get("k"), { value: "abcde" })[0]).toBe(true);
    for (const wrong of ["", "abcd", "abcdf", "xbcde", "abcdee"]) {
      expect(kvModel.step(s, get("k"), { value: wrong })[0], wrong).toBe(false);
    }
    expect(text(run([app("k", "x"), put("k", "y")]))).toBe("y");
  });

  it("does not change the state it is given", () => {
    const s = run([put("k", "a")]);
    kvModel.step(s, app("k", "b"), none);
    kvModel.step(s, get("k"), { value: "a" });
    expect(text(s)).toBe("a");
  });

  it("treats equal values as equal states with equal hashes, however they were built", () => {
    const variants = [
      run([put("k", "abc")]),
      run([app("k", "a"), app("k", "bc")]),
      run([put("k", "ab"), app("k", "c")]),
      run([put("k", "z"), put("k", "a"), app("k", "b"), app("k", "c")]),
      kvModel.step(run([app("k", "ab"), app("k", "c")]), get("k"), { value: "abc" })[1],
    ];
    for (const a of variants) {
      for (const b of variants) {
        expect(kvModel.equal!(a, b)).toBe(true);
        expect(kvModel.hash!(a)).toBe(kvModel.hash!(b));
      }
    }
    const others = [run([put("k", "abd")]), run([app("k", "b"), app("k", "ac")]), run([put("k", "ab")])];
    for (const o of others) expect(kvModel.equal!(variants[1]!, o)).toBe(false);
  });

  it("describes operations the way the course does", () => {
    expect(kvModel.describeOperation!(get("k"), { value: "v" })).toBe("get('k') -> 'v'");
    expect(kvModel.describeOperation!(put("k", "v"), none)).toBe("put('k', 'v')");
    expect(kvModel.describeOperation!(app("k", "v"), none)).toBe("append('k', 'v')");
    expect(kvModel.describeOperation!({ op: "cas" } as unknown as KvInput, none)).toBe("<invalid>");
    expect(() => kvModel.step(kvModel.init(), { op: "cas" } as unknown as KvInput, none)).toThrow(/unknown op/);
  });

  it("partitions by key in sorted key order, keeping history order within a key", () => {
    const op = (input: KvInput, t: number): KvOperation => ({ clientId: 0, input, call: t, output: none, return: t });
    const h = [op(put("b", "1"), 0), op(put("a", "2"), 1), op(app("b", "3"), 2), op(put("10", "4"), 3), op(get("a"), 4)];
    const parts = kvModel.partition!(h);
    expect(parts.map((p) => p.map((o) => o.call))).toEqual([[3], [1, 4], [0, 2]]);
    expect(kvModel.describePartition!(parts[0]!)).toBe("key '10'");
  });
});
