// A kvraft run that fails on purpose, under the real harness, for the timeline's tests.
import { failingRun, type FailedRun } from "../../labs-test/vis/fixtures/failing-run.js";
import { checkOperations, kvModel, type KvOperation } from "../../porcupine/index.js";
import { now, trace } from "../../runtime/index.js";
import { Config } from "../config.js";

/**
 * kvraft with two clerks; the history handed to porcupine has one read altered (as a
 * buggy server would answer), so the check finds key "k0" not linearizable and the run
 * fails like TestBasic3A's check does.
 */
export function failingKv(dir: string, seed = 11): Promise<FailedRun> {
  return failingRun("FailingKv", seed, dir, 3, async () => {
    const cfg = new Config(3, false, -1);
    try {
      const ops: KvOperation[] = [];
      const clerks = [cfg.makeClient(cfg.all()), cfg.makeClient(cfg.all())];
      await Promise.all(
        clerks.map(async (ck, c) => {
          for (let j = 0; j < 4; j++) {
            const key = `k${j % 2}`;
            let t0 = now();
            await ck.append(key, `x${c}${j}`);
            cfg.traceOp(ck, { kind: "append", key, value: `x${c}${j}`, output: "", call: t0, ret: now() });
            ops.push({ clientId: c, input: { op: "append", key, value: `x${c}${j}` }, call: t0, output: { value: "" }, return: now() });
            t0 = now();
            const v = await ck.get(key);
            cfg.traceOp(ck, { kind: "get", key, value: "", output: v, call: t0, ret: now() });
            ops.push({ clientId: c, input: { op: "get", key, value: "" }, call: t0, output: { value: v }, return: now() });
          }
        }),
      );
      const bad = ops.findIndex((o) => o.input.op === "get" && o.input.key === "k0");
      ops[bad] = { ...ops[bad]!, output: { value: "a value nobody wrote" } };
      const res = checkOperations(kvModel, ops, 10_000);
      const keys = res.info.partitions.filter((p) => p.status === "illegal").map((p) => p.ops[0]?.input.key ?? "");
      trace("tester", "porcupine", { result: res.result, keys, page: null });
      throw new Error(`history is not linearizable (keys ${keys.join(", ")})`);
    } finally {
      cfg.cleanup();
    }
  });
}
