import { expect, test } from "vitest";
import { DEFAULT_COST_MODEL } from "./cost-model.js";
import { sleep } from "./index.js";
import { runWorld } from "./world.js";

const { diskBytesPerMs: DISK_BYTES_PER_MS, linkBytesPerMs: LINK_BYTES_PER_MS, messageOverheadMs: MESSAGE_OVERHEAD_MS } = DEFAULT_COST_MODEL;

test("disk writes queue: each keeps the disk busy for its bytes over the disk's bandwidth", async () => {
  await runWorld({ seed: 1 }, async (w) => {
    const h = w.host(0);
    expect(w.host("0")).toBe(h); // one machine per name
    h.write(DISK_BYTES_PER_MS * 10);
    h.write(DISK_BYTES_PER_MS * 5);
    expect(h.diskBusyMs()).toBe(15);
    await sleep(20);
    expect(h.diskBusyMs()).toBe(0);
    h.write(DISK_BYTES_PER_MS); // an idle disk starts at once
    expect(h.diskBusyMs()).toBe(1);
  });
});

test("a message leaves after the sender's disk is idle and the messages before it have left", async () => {
  await runWorld({ seed: 1 }, async (w) => {
    const h = w.host("a");
    const o = MESSAGE_OVERHEAD_MS;
    expect(h.transmit(LINK_BYTES_PER_MS * 2)).toBeCloseTo(o + 2, 9);
    expect(h.transmit(LINK_BYTES_PER_MS * 3)).toBeCloseTo(2 * o + 5, 9); // queued behind the first
    h.write(DISK_BYTES_PER_MS * 10);
    expect(h.transmit(0)).toBeCloseTo(10 + o, 9); // waits for the write
    expect(w.host("b").transmit(LINK_BYTES_PER_MS)).toBeCloseTo(o + 1, 9); // another machine's link is free
  });
});

test("real time charges nothing: it has real costs", async () => {
  await runWorld({ seed: 1, realtime: true }, async (w) => {
    const h = w.host(0);
    h.write(DISK_BYTES_PER_MS * 1000);
    expect(h.diskBusyMs()).toBe(0);
    const t = w.clock.now();
    expect(h.transmit(LINK_BYTES_PER_MS * 1000) - t).toBeLessThan(1000);
  });
});
