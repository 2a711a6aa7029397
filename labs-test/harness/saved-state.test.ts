// The persister steps every harness shares: a dead instance's late writes never reach its
// successor, a first start gets a fresh persister, the sizes are the largest over servers.
import { expect, test } from "vitest";
import { makePersister } from "../../raft/persister.js";
import { keepCopyOnCrash, killAll, largestRaftState, largestSnapshot, persisterToStart, type SavedPersisters } from "./saved-state.js";

const bytes = (n: number): Uint8Array => new Uint8Array(n).fill(7);

test("a crashed server's late writes do not reach its next instance", () => {
  const saved: SavedPersisters = [null, null];
  const first = persisterToStart(saved, 0, 0);
  expect(first.fresh).toBe(true);
  expect(saved[0]).toBe(first.persister);
  first.persister.saveRaftState(bytes(3));
  keepCopyOnCrash(saved, 0);
  first.persister.saveRaftState(bytes(9)); // the dead instance writes on
  const next = persisterToStart(saved, 0, 0);
  expect(next.fresh).toBe(false);
  expect(next.persister).not.toBe(first.persister);
  expect(next.persister.readRaftState()).toEqual(bytes(3));
  // A server never started has nothing to keep.
  keepCopyOnCrash(saved, 1);
  expect(saved[1]).toBeNull();
});

test("the largest Raft state and snapshot over the servers, 0 with none", () => {
  expect(largestRaftState([null])).toBe(0);
  expect(largestSnapshot([])).toBe(0);
  const a = makePersister();
  const b = makePersister();
  a.saveStateAndSnapshot(bytes(5), bytes(2));
  b.saveStateAndSnapshot(bytes(1), bytes(8));
  expect(largestRaftState([a, null, b])).toBe(5);
  expect(largestSnapshot([a, null, b])).toBe(8);
});

test("killAll kills every running server, empties its slot and cleans up the network", () => {
  const killed: number[] = [];
  const servers = [{ kill: () => killed.push(0) }, null, { kill: () => killed.push(2) }];
  let cleaned = false;
  killAll(servers, {
    cleanup: () => {
      cleaned = true;
    },
  });
  expect(killed).toEqual([0, 2]);
  expect(servers).toEqual([null, null, null]);
  expect(cleaned).toBe(true);
});
