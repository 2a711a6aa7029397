// Counts map executions: each leaves a file behind, and reduce counts the files.
import { randomInt } from "node:crypto";
import { readdirSync, writeFileSync } from "node:fs";
import type { KeyValue } from "../mr/framework/app.js";
import { RealClock } from "../runtime/real-clock.js";

let count = 0;

export async function map(_filename: string, _contents: string): Promise<KeyValue[]> {
  writeFileSync(`mr-worker-jobcount-${process.pid}-${count}`, "x");
  count++;
  // 2 to 5 s: long enough to overlap, well under the coordinator's 10 s timeout.
  const clock = new RealClock();
  await clock.sleep(2000 + randomInt(3000));
  clock.stop();
  return [{ Key: "a", Value: "x" }];
}

export function reduce(_key: string, _values: string[]): string {
  return String(readdirSync(".").filter((n) => n.startsWith("mr-worker-jobcount")).length);
}
