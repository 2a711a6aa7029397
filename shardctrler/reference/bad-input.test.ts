// Tests of our reference shard controller's answers to impossible requests (not shipped
// in a handout: the course leaves these cases open). A Join of a gid already present, a
// Leave or Move naming an unknown gid: our Clerk throws ShardCtrlerError with the reason
// (the course's Clerk ignores Err, so a student's need not), no config is made, and a
// retried request gets the same answer.
import { graded } from "../../labs-test/harness/graded.js";
import { ShardCtrlerError } from "../framework/errors.js";
import { withConfig } from "../config.js";
import type { Clerk } from "../client.js";

async function refused(what: string, call: () => Promise<unknown>, reason: RegExp): Promise<void> {
  try {
    await call();
  } catch (e) {
    if (!(e instanceof ShardCtrlerError)) throw new Error(`${what}: threw ${String(e)}, want ShardCtrlerError`);
    if (!reason.test(e.message)) throw new Error(`${what}: message ${JSON.stringify(e.message)} does not match ${reason}`);
    return;
  }
  throw new Error(`${what} succeeded; it should be refused`);
}

graded("TestRefusedChanges4AReference", async () => {
  await withConfig(3, false, async (cfg) => {
    const ck: Clerk = cfg.makeClient();
    await ck.join({ 1: ["a"], 2: ["b"] });
    const before = await ck.query(-1);
    await refused("Join of a present gid", () => ck.join({ 2: ["c"], 3: ["d"] }), /gid 2, which is already present/);
    await refused("Leave of an unknown gid", () => ck.leave([1, 9]), /gid 9, which is not present/);
    await refused("Move to an unknown gid", () => ck.move(3, 9), /gid 9, which is not present/);
    const after = await ck.query(-1);
    if (after.num !== before.num || after.groups[3] !== undefined || after.groups[1] === undefined) {
      throw new Error(`a refused request changed the config: ${JSON.stringify(after)}`);
    }
    // Still usable afterwards, and a gid may come back after it left.
    await ck.leave([2]);
    await ck.join({ 2: ["c"] });
    const last = await ck.query(-1);
    if (last.groups[2]?.[0] !== "c") throw new Error(`gid 2 did not rejoin: ${JSON.stringify(last)}`);
  });
});
