// Map-parallelism probe: each map records when it ran, in which worker, and how many
// workers were mapping at that moment.
import type { KeyValue } from "../mr/framework/app.js";
import { wallSeconds } from "../runtime/real-clock.js";
import { compareKeys } from "../mr/framework/key-order.js";
import { nparallel } from "./support/nparallel.js";

export async function map(_filename: string, _contents: string): Promise<KeyValue[]> {
  const ts = wallSeconds();
  const n = await nparallel("map");
  return [
    { Key: `times-${process.pid}`, Value: ts.toFixed(1) },
    { Key: `parallel-${process.pid}`, Value: String(n) },
  ];
}

export function reduce(_key: string, values: string[]): string {
  return [...values].sort(compareKeys).join(" ");
}
