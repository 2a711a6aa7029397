// The crash and nocrash apps share everything but the crashing.
import { randomInt } from "node:crypto";
import { RealClock } from "../../runtime/real-clock.js";
import type { KeyValue, MapFunc, ReduceFunc } from "../../mr/framework/app.js";
import { compareKeys } from "../../mr/framework/key-order.js";

/** A third of calls exit the process, a third stall up to 10 s, the rest go on. */
export async function maybeCrash(): Promise<void> {
  const r = randomInt(1000);
  if (r < 330) process.exit(1);
  if (r < 660) {
    const clock = new RealClock();
    await clock.sleep(randomInt(10_000));
    clock.stop();
  }
}

export function crashApp(beforeEach: () => Promise<void>): { map: MapFunc; reduce: ReduceFunc } {
  return {
    async map(filename: string, contents: string): Promise<KeyValue[]> {
      await beforeEach();
      return [
        { Key: "a", Value: filename },
        { Key: "b", Value: String(Buffer.byteLength(filename)) },
        { Key: "c", Value: String(Buffer.byteLength(contents)) },
        { Key: "d", Value: "xyzzy" },
      ];
    },
    async reduce(_key: string, values: string[]): Promise<string> {
      await beforeEach();
      return [...values].sort(compareKeys).join(" ");
    },
  };
}
