// SES lockdown() for a process that runs student code: the JavaScript intrinsics (Object,
// Array, Promise, Function.prototype …) are frozen, so nothing can patch a built-in the
// harness relies on (Promise.race, Array.prototype.push …), and the Function constructor
// reachable from any function is inert. Modules that patch intrinsics while they load
// (vitest's fake Date, zod) are loaded first.
//
// Options: errors keep V8's stacks and Node's source-mapped frames (errorTaming "unsafe",
// stackFiltering "verbose": a student's stack names their file and line); assigning to a
// frozen inherited property (the "override mistake": `err.name = …`, `MockDate.UTC = …`)
// works wherever SES can allow it (overrideTaming "moderate"); console, domains and the
// start compartment's own eval stay as Node and vitest expect them (their code is trusted;
// compartments always get SES's safe evaluators); SES adds no process-wide handler of
// uncaught errors or unhandled rejections (errorTrapping, unhandledRejectionTrapping
// "none"): the harness's failure latch and vitest keep deciding what such an error does.
import "ses";
import "vitest";
import "zod";

const OPTIONS = {
  errorTaming: "unsafe",
  stackFiltering: "verbose",
  overrideTaming: "moderate",
  consoleTaming: "unsafe",
  domainTaming: "unsafe",
  evalTaming: "unsafe-eval",
  errorTrapping: "none",
  unhandledRejectionTrapping: "none",
} as const;

let done = false;

/** lockdown() once per process (SES refuses a second call). */
export function lockdownOnce(): void {
  if (done) return;
  done = true;
  // A process already locked down (a vitest fork that ran another sandboxed file) has a
  // frozen Object.prototype; lockdown() would throw there.
  if (Object.isFrozen(Object.prototype)) return;
  lockdown(OPTIONS);
}
