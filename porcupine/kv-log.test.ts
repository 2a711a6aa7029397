import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkOperations } from "./checker.js";
import { parseKvLog } from "./kv-log.js";
import { kvModel } from "./kv-model.js";
import { fillDefaults } from "./model.js";
import { startSearch } from "./search.js";
import { visualizationData } from "./visualize.js";

const dataDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "test-data", "kv");
const load = (name: string): ReturnType<typeof parseKvLog> => parseKvLog(readFileSync(path.join(dataDir, `${name}.txt`), "utf8"));

describe("the Go porcupine's key/value histories (test-data/kv)", () => {
  // Verdicts as porcupine's own tests expect them. Each check has no time limit: it must
  // end by itself, the illegal ones as soon as any key is proven illegal.
  const cases: Array<[string, "ok" | "illegal", number]> = [
    ["c01-ok", "ok", 58],
    ["c01-bad", "illegal", 38],
    ["c10-ok", "ok", 337],
    ["c10-bad", "illegal", 405],
    ["c50-ok", "ok", 1712],
    ["c50-bad", "illegal", 2024],
  ];
  for (const [name, want, ops] of cases) {
    it(`${name} is ${want}`, () => {
      const h = load(name);
      expect(h).toHaveLength(ops);
      const out = checkOperations(kvModel, h, 0);
      expect(out.result).toBe(want);
      const parts = out.info.partitions;
      if (want === "ok") {
        expect(parts.every((p) => p.status === "ok")).toBe(true);
        return;
      }
      // One illegal key, its longest prefixes recorded for the picture; the rest decided or set aside.
      const bad = parts.filter((p) => p.status === "illegal");
      expect(bad).toHaveLength(1);
      expect(bad[0]!.partials.length).toBeGreaterThan(0);
      expect(parts.every((p) => p.status === "ok" || p.status === "illegal" || p.status === "unchecked")).toBe(true);
      const vis = visualizationData(kvModel, out.info);
      expect(vis.partitions.filter((p) => p.status === "illegal")).toHaveLength(1);
    });
  }

  it("c50-bad: the check ends long before its first key could be decided", () => {
    const h = load("c50-bad");
    const out = checkOperations(kvModel, h, 0, { verbose: false });
    expect(out.result).toBe("illegal");
    const steps = out.info.partitions.reduce((a, p) => a + p.steps, 0);
    // Key "0", first in key order, is still undecided after five times the whole check's steps.
    const zero = out.info.partitions[0]!;
    expect(zero.ops[0]!.input.key).toBe("0");
    expect(zero.status).toBe("unchecked");
    const never = () => false;
    expect(startSearch(fillDefaults(kvModel), zero.ops, false).run(steps * 5, never)).toBeUndefined();
  });
});

describe("parseKvLog", () => {
  it("pairs each invoke with its process's ok, timed by line", () => {
    const h = parseKvLog(
      [
        '{:process 0, :type :invoke, :f :append, :key "k", :value "x 0 0 y"}',
        '{:process 1, :type :invoke, :f :get, :key "k", :value nil}',
        '{:process 0, :type :ok, :f :append, :key "k", :value "x 0 0 y"}',
        "",
        '{:process 1, :type :ok, :f :get, :key "k", :value "x 0 0 y"}',
        '{:process 0, :type :invoke, :f :put, :key "j", :value "v"}',
        '{:process 0, :type :ok, :f :put, :key "j", :value "v"}',
      ].join("\n"),
    );
    expect(h).toEqual([
      { clientId: 0, input: { op: "append", key: "k", value: "x 0 0 y" }, call: 0, output: { value: "" }, return: 2 },
      { clientId: 1, input: { op: "get", key: "k", value: "" }, call: 1, output: { value: "x 0 0 y" }, return: 4 },
      { clientId: 0, input: { op: "put", key: "j", value: "v" }, call: 5, output: { value: "" }, return: 6 },
    ]);
  });

  it("bad input: names the line and what is wrong with it", () => {
    const inv = (p: number, f: string, k: string, v = '"a"'): string => `{:process ${p}, :type :invoke, :f :${f}, :key "${k}", :value ${v}}`;
    const ok = (p: number, f: string, k: string, v = '"a"'): string => `{:process ${p}, :type :ok, :f :${f}, :key "${k}", :value ${v}}`;
    expect(() => parseKvLog("{:process 0, :type :fail, :f :get}")).toThrow(/line 1: not an event/);
    expect(() => parseKvLog(ok(0, "get", "k"))).toThrow(/line 1: process 0 returns without an open op/);
    expect(() => parseKvLog([inv(0, "append", "k"), inv(0, "append", "k")].join("\n"))).toThrow(/line 2: process 0 invokes while/);
    expect(() => parseKvLog([inv(0, "append", "k"), ok(0, "append", "j")].join("\n"))).toThrow(/line 2: .*invoked append of key "k"/);
    expect(() => parseKvLog([inv(0, "get", "k", "nil"), ok(0, "get", "k", "nil")].join("\n"))).toThrow(/line 2: a get returns nil/);
    expect(() => parseKvLog(inv(0, "put", "k", "nil"))).toThrow(/line 1: a put without a value/);
    expect(() => parseKvLog([inv(3, "get", "k", "nil")].join("\n"))).toThrow(/process 3's get called at line 1 never returns/);
  });
});
