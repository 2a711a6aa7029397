// Inverted index: for each word, how many documents hold it and which.
import type { KeyValue } from "../mr/framework/app.js";
import { compareKeys } from "../mr/framework/key-order.js";
import { words } from "./support/words.js";

export function map(document: string, contents: string): KeyValue[] {
  return [...new Set(words(contents))].map((w) => ({ Key: w, Value: document }));
}

export function reduce(_key: string, values: string[]): string {
  const docs = [...values].sort(compareKeys);
  return `${docs.length} ${docs.join(",")}`;
}
