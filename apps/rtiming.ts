// Reduce-parallelism probe: ten keys, and each reduce reports how many workers were
// reducing at the same moment.
import type { KeyValue } from "../mr/framework/app.js";
import { nparallel } from "./support/nparallel.js";

export function map(_filename: string, _contents: string): KeyValue[] {
  return "abcdefghij".split("").map((k) => ({ Key: k, Value: "1" }));
}

export async function reduce(_key: string, _values: string[]): Promise<string> {
  return String(await nparallel("reduce"));
}
