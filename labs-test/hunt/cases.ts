// The "test file" the many-seeds workers (labs-test/tools/seed-worker.ts) load for a hunt:
// it registers, in collect mode, one graded case per entry of LABS_HUNT_CASES (set by
// hunt.ts for the pool it starts): `Hunt2C` runs every fault of each seed's schedule, and
// a shrinking round adds one case per subset it tries (`Hunt2C/keep=3,7`). Each case's body
// is the part's run body (bodies.ts) in the fresh world the worker makes per seed.
import { collect } from "../harness/registry.js";
import { huntBody } from "./bodies.js";
import { CASES_ENV, parseCases } from "./cases-env.js";
import { huntPart } from "./parts.js";

for (const c of parseCases(process.env[CASES_ENV])) {
  const body = await huntBody(huntPart(c.part));
  collect({ kind: "graded", name: c.name, body: (w) => body(w, c.keep), opts: {} });
}
