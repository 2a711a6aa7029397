import { expect, test } from "vitest";
import { DISK_BYTES_PER_MS } from "../runtime/host.js";
import { runWorld } from "../runtime/world.js";
import { makePersister } from "./persister.js";

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
