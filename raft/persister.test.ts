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
