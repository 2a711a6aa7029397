import { expect, test } from "vitest";
import { DEFAULT_COST_MODEL } from "../runtime/cost-model.js";
import { runWorld } from "../runtime/world.js";
import { makePersister } from "./persister.js";

const DISK_BYTES_PER_MS = DEFAULT_COST_MODEL.diskBytesPerMs;

test("saves cost the host's disk virtual time; a copy is the same disk; no host, no cost", async () => {
  await runWorld({ seed: 1 }, async (w) => {
    const p = makePersister(2);
    p.saveRaftState(new Uint8Array(DISK_BYTES_PER_MS * 4));
    expect(w.host(2).diskBusyMs()).toBe(4);
    p.copy().saveStateAndSnapshot(new Uint8Array(DISK_BYTES_PER_MS), new Uint8Array(DISK_BYTES_PER_MS * 2));
    expect(w.host(2).diskBusyMs()).toBe(7); // state and snapshot bytes both written
    makePersister().saveRaftState(new Uint8Array(DISK_BYTES_PER_MS * 100));
    expect(w.host(2).diskBusyMs()).toBe(7);
  });
});

test("onSave: the harness's hook runs after each save, with the bytes stored; a copy has none", async () => {
  await runWorld({ seed: 1 }, async () => {
    const p = makePersister(0);
    const seen: number[] = [];
    p.onSave(() => seen.push(p.raftStateSize()));
    p.saveRaftState(new Uint8Array(3));
    p.saveStateAndSnapshot(new Uint8Array(5), new Uint8Array(1));
    p.copy().saveRaftState(new Uint8Array(7));
    p.onSave(undefined);
    p.saveRaftState(new Uint8Array(9));
    expect(seen).toEqual([3, 5]);
  });
});

test("saves copy and reads return fresh copies: neither the saver nor a reader can change what is stored", async () => {
  await runWorld({ seed: 1 }, async () => {
    const p = makePersister(0);
    const mine = new Uint8Array([1, 2, 3]);
    p.saveStateAndSnapshot(mine, new Uint8Array([9]));
    mine[0] = 7;
    const read = p.readRaftState();
    expect([...read]).toEqual([1, 2, 3]);
    read[1] = 7;
    expect([...p.readRaftState()]).toEqual([1, 2, 3]);
    const c = p.copy();
    p.saveRaftState(new Uint8Array([4, 5, 6, 7, 8])); // larger: a new buffer
    p.saveRaftState(new Uint8Array([6])); // smaller: the same buffer, shorter
    expect([...c.readRaftState()]).toEqual([1, 2, 3]);
    expect([...c.readSnapshot()]).toEqual([9]);
    expect([...p.readRaftState()]).toEqual([6]);
    expect(p.raftStateSize()).toBe(1);
    c.saveStateAndSnapshot(new Uint8Array([1]), null);
    expect([...p.readSnapshot()]).toEqual([9]);
    expect(c.snapshotSize()).toBe(0);
  });
});

test("bad input: saving anything but bytes is refused with a clear error, and nothing is saved", async () => {
  await runWorld({ seed: 1 }, async () => {
    const p = makePersister(0);
    p.saveStateAndSnapshot(new Uint8Array([1]), new Uint8Array([2]));
    expect(() => p.saveRaftState("abc" as unknown as Uint8Array)).toThrow(/saveRaftState's state must be a Uint8Array .*not string "abc"/);
    expect(() => p.saveStateAndSnapshot(new Uint8Array([5]), [1, 2] as unknown as Uint8Array)).toThrow(/snapshot must be a Uint8Array/);
    expect(() => p.saveStateAndSnapshot({ length: 1 } as unknown as Uint8Array, null)).toThrow(/state must be a Uint8Array/);
    expect([...p.readRaftState()]).toEqual([1]);
    expect([...p.readSnapshot()]).toEqual([2]);
  });
});
