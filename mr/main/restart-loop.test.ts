// The crash test's restart loop against a slow-starting coordinator: its socket appears
// well after the loop begins (the course's loop would have given up at once), and the
// loop must still start workers, only while the socket is there, and stop when the
// coordinator exits.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { RealClock } from "../../runtime/real-clock.js";
import { restartWorkersUntilDone } from "./restart-loop.js";

const dir = mkdtempSync(path.join(tmpdir(), "labs-restart-"));
const clock = new RealClock();
afterAll(() => {
  clock.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("workers start once a slow coordinator's socket appears, and stop when it exits", async () => {
  const socket = path.join(dir, "slow.sock");
  const server = createServer();
  let done = false;
  const startedWithSocket: boolean[] = [];
  // The coordinator needs 1.5 s to listen (the course's loop looks once, at ~1 s).
  const coordinator = (async () => {
    await clock.sleep(1500);
    await new Promise<void>((resolve) => server.listen(socket, resolve));
  })();
  const loop = restartWorkersUntilDone({
    socket,
    coordinatorDone: () => done,
    startWorker: () => {
      startedWithSocket.push(existsSync(socket));
      // A crash worker that dies quickly; after the third, the job is done.
      const exited = clock.sleep(20).then(async () => {
        if (startedWithSocket.length === 3) {
          await new Promise<void>((resolve) => server.close(() => resolve()));
          done = true;
        }
      });
      return { done: exited };
    },
    sleep: (ms) => clock.sleep(ms),
    restMs: 50,
    pollMs: 20,
  });
  await Promise.all([coordinator, loop]);
  expect(startedWithSocket).toEqual([true, true, true]);
}, 30_000);

test("a coordinator that exits before listening ends the loop without a worker", async () => {
  let done = false;
  let started = 0;
  const loop = restartWorkersUntilDone({
    socket: path.join(dir, "never.sock"),
    coordinatorDone: () => done,
    startWorker: () => {
      started++;
      return { done: Promise.resolve() };
    },
    sleep: (ms) => clock.sleep(ms),
    pollMs: 20,
  });
  await clock.sleep(200);
  done = true;
  await loop;
  expect(started).toBe(0);
}, 30_000);
