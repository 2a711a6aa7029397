// What test files get for "vitest" inside the many-seeds worker (see vitest-shim-hooks.ts):
// vitest's own expect (it works outside a vitest run), and test()/it()/describe() that
// record tests for the worker instead of needing a vitest runner, which would throw.
import { collect } from "../harness/registry.js";

export { expect, vi } from "vitest";

type Body = () => unknown;

function record(name: string, a?: Body | object, b?: Body | object): void {
  const body = typeof a === "function" ? a : typeof b === "function" ? b : undefined;
  if (body === undefined) return; // test.todo-style: nothing to run
  collect({ kind: "plain", name, body: body as Body });
}

function skipped(): void {}

export const test = Object.assign(record, { skip: skipped, todo: skipped, skipIf: () => skipped, runIf: (c: boolean) => (c ? record : skipped), only: record, concurrent: record });
export const it = test;

/** describe() runs its callback at once, so the tests inside are recorded under their own names. */
export const describe = Object.assign(
  (_name: string, fn?: () => void) => {
    fn?.();
  },
  { skip: skipped, todo: skipped, only: (_n: string, fn?: () => void) => fn?.() },
);

// Hooks belong to vitest suites; the worker's tests set up their own worlds.
export function beforeAll(): void {}
export function afterAll(): void {}
export function beforeEach(): void {}
export function afterEach(): void {}
