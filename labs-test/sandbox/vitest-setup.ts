// vitest setup file (vitest.config.ts): lockdown() before the test file is imported. A
// lockdown() in the middle of vitest's collection breaks it (the runner sets
// Error.stackTraceLimit around each test() it registers), and every test file that imports
// a student file needs one before the student file loads.
import { lockdownOnce } from "./lockdown.js";

lockdownOnce();
