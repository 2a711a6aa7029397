// Word count: every word counts 1; reduce counts the ones.
import type { KeyValue } from "../mr/framework/app.js";
import { words } from "./support/words.js";

export function map(_filename: string, contents: string): KeyValue[] {
  return words(contents).map((w) => ({ Key: w, Value: "1" }));
}

export function reduce(_key: string, values: string[]): string {
  return String(values.length);
}
