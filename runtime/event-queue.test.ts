import { expect, test } from "vitest";
import { EventQueue } from "./event-queue.js";
import { Rand } from "./rand.js";

// The heap's order is what every seed's replay rests on: check it against a plain sort
// by (time, insertion order) over random pushes, cancels and pops.
test("events leave in (time, insertion) order, cancelled ones never, under random use", () => {
  const r = new Rand(77, "event-queue-test");
  const q = new EventQueue();
  const live: Array<{ at: number; seq: number; cancel: () => void }> = [];
  const popped: number[] = [];
  const expected: number[] = [];
  let seq = 0;
  for (let round = 0; round < 5_000; round++) {
    const op = r.randInt(10);
    if (op < 5) {
      const at = r.randInt(50); // many equal times: the insertion order must decide
      const id = seq++;
      const ev = q.push(at, () => popped.push(id));
      live.push({ at, seq: id, cancel: () => ev.cancel() });
    } else if (op < 6 && live.length > 0) {
      const [gone] = live.splice(r.randInt(live.length), 1);
      gone!.cancel();
      gone!.cancel(); // twice is harmless
    } else {
      live.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = live.shift();
      const ev = q.pop();
      if (next === undefined) {
        expect(ev).toBeUndefined();
        continue;
      }
      expected.push(next.seq);
      ev!.fn!();
    }
    expect(q.size).toBe(live.length);
  }
  expect(popped).toEqual(expected);
  expect(expected.length).toBeGreaterThan(1_000);
});
