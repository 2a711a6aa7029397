import { expect, test } from "vitest";
import { FailureLatch } from "./failure-latch.js";

test("the first failure of a detached task wins and rejects `failed`", async () => {
  const latch = new FailureLatch();
  try {
    await latch.go(async () => {
      throw new Error("apply error: first");
    });
    latch.fail(new Error("second"));
    expect(latch.hasFailed).toBe(true);
    expect(() => latch.check()).toThrow("apply error: first");
    await expect(latch.failed).rejects.toThrow("apply error: first");
  } finally {
    latch.release();
  }
});

test("an error nobody caught fails the test instead of only warning after it", async () => {
  const latch = new FailureLatch();
  try {
    process.emit("unhandledRejection", new Error("raft loop crashed"), Promise.resolve());
    await expect(latch.failed).rejects.toThrow(/uncaught error in a detached task: raft loop crashed/);
  } finally {
    latch.release();
  }
  expect(process.listeners("unhandledRejection").length).toBeLessThanOrEqual(1);
});
