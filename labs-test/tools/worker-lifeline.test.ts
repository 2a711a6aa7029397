// The orphan guard (worker-lifeline.ts): a test process stuck in a synchronous loop dies
// once the process that started it is killed outright (SIGKILL: no clean-up runs there).
import { spawn } from "node:child_process";
import path from "node:path";
import { expect, test } from "vitest";
import { readProc, waitGone } from "./process-family.js";

const FIXTURE = path.join(import.meta.dirname, "fixtures/orphan-loop.ts");

test("a looping child dies within seconds of its parent's SIGKILL", async () => {
  const middle = spawn(process.execPath, ["--import", "tsx", FIXTURE], { stdio: ["ignore", "pipe", "inherit"] });
  const pid = await new Promise<number>((resolve, reject) => {
    let out = "";
    middle.stdout.on("data", (b: Buffer) => {
      out += b.toString();
      if (out.includes("\n")) resolve(Number(out.trim()));
    });
    middle.on("exit", (code) => reject(new Error(`the middle process exited (${code}) before its child looped`)));
  });
  expect(readProc(pid)).toBeDefined();
  middle.kill("SIGKILL");
  const gone = waitGone(pid, 10_000);
  if (!gone) process.kill(pid, "SIGKILL");
  expect(gone).toBe(true);
}, 30_000);
