// vitest setup file (vitest.config.ts): lockdown() before the test file is imported. A
// lockdown() in the middle of vitest's collection breaks it (the runner sets
// Error.stackTraceLimit around each test() it registers), and every test file that imports
// a student file needs one before the student file loads.
import { mark } from "../tools/timing.js";
import { lockdownOnce } from "./lockdown.js";

mark("worker setup start");
lockdownOnce();
mark("worker lockdown done");
if (process.env.LABS_TIMING === "1") {
  // After the test file and what it imports have loaded.
  const { beforeEach } = await import("vitest");
  let first = true;
  beforeEach(() => {
    if (first) mark("worker first test starts");
    first = false;
  });
}
