// Early-exit probe: two reduces (the "sherlock" and "tom" files) take 3 s, so a worker
// or coordinator that exits before the job is done leaves output still changing.
import type { KeyValue } from "../mr/framework/app.js";
import { RealClock } from "../runtime/real-clock.js";

export function map(filename: string, _contents: string): KeyValue[] {
  return [{ Key: filename, Value: "1" }];
}

export async function reduce(key: string, values: string[]): Promise<string> {
  if (key.includes("sherlock") || key.includes("tom")) {
    const clock = new RealClock();
    await clock.sleep(3000);
    clock.stop();
  }
  return String(values.length);
}
