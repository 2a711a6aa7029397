// What test files get for "vitest" inside make watch-XX's resident test process
// (watch-worker.ts, through vitest-shim-hooks.ts): vitest's own expect (it works outside a
// vitest run), and test()/it()/describe() that record each test with the file being loaded,
// for the worker to run the way vitest runs it. Collect mode stays off, so graded() takes
// its vitest path: the seed, the failure report, the replay command and the timeline are
// the ones make test-XX prints.
import { expect } from "vitest";

export { expect, vi } from "vitest";

/** A test as vitest would name it (describe names and its own, joined by spaces) and run it. */
export interface WatchTest {
  name: string;
  /** The test file, relative to the repository root. */
  file: string;
  body: () => unknown;
}

type Body = () => unknown;

const tests: WatchTest[] = [];
const suites: string[] = [];
let loading: string | undefined;

/** Say which test file (relative to the root) the tests recorded next come from. */
export function loadingFrom(file: string): void {
  loading = file;
}

/** Every test recorded so far, in the order of their files and of each file's text. */
export function recorded(): readonly WatchTest[] {
  return tests;
}

/** Before a test's body runs: what expect.getState() answers inside it under vitest (graded.ts reads testPath). */
export function enterTest(t: WatchTest, absolutePath: string): void {
  expect.setState({ testPath: absolutePath, currentTestName: t.name, assertionCalls: 0, isExpectingAssertions: false });
}

function record(name: string, a?: Body | object, b?: Body | object): void {
  const body = typeof a === "function" ? a : typeof b === "function" ? b : undefined;
  if (body === undefined) return; // test.todo-style: nothing to run
  if (loading === undefined) throw new Error(`test(${JSON.stringify(name)}) outside the loading of a test file`);
  tests.push({ name: [...suites, name].join(" "), file: loading, body: body as Body });
}

function skipped(): void {}

export const test = Object.assign(record, { skip: skipped, todo: skipped, skipIf: () => skipped, runIf: (c: boolean) => (c ? record : skipped), only: record, concurrent: record });
export const it = test;

function suite(name: string, fn?: () => void): void {
  suites.push(name);
  try {
    fn?.();
  } finally {
    suites.pop();
  }
}

/** describe() runs its callback at once; the tests inside are named after it, as under vitest. */
export const describe = Object.assign(suite, { skip: skipped, todo: skipped, only: suite });

/** The graded and extra test files use no hooks; a file that did would run differently here than under vitest, so it does not load. */
function noHooks(which: string): () => never {
  return () => {
    throw new Error(`${loading ?? "a test file"}: ${which}() is not supported by make watch-XX's test process; run make test-XX`);
  };
}
export const beforeAll = noHooks("beforeAll");
export const afterAll = noHooks("afterAll");
export const beforeEach = noHooks("beforeEach");
export const afterEach = noHooks("afterEach");
