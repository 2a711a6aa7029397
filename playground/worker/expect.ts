// vitest's expect for test files loaded in the playground's worker, built as vitest builds
// it (@vitest/expect's matchers on chai), without vitest's Node-only runner. What
// labs-test/tools/vitest-shim.ts re-exports as `expect` in the page.
import * as chai from "chai";
import { ChaiStyleAssertions, JestAsymmetricMatchers, JestChaiExpect, JestExtend, getState, setState, type ExpectStatic } from "@vitest/expect";

chai.use(JestExtend);
chai.use(JestChaiExpect);
chai.use(ChaiStyleAssertions);
chai.use(JestAsymmetricMatchers);

const expectImpl = ((value: unknown, message?: string) => {
  const s = getState(expectImpl);
  setState({ assertionCalls: (s?.assertionCalls ?? 0) + 1 }, expectImpl);
  return chai.expect(value, message);
}) as unknown as ExpectStatic;
Object.assign(expectImpl, chai.expect);
expectImpl.getState = () => getState(expectImpl);
setState({ assertionCalls: 0, isExpectingAssertions: false, testPath: undefined, currentTestName: "" } as never, expectImpl);

export const expect = expectImpl;

/** vi (mocks, fake timers) has no use in the graded tests; a call says so. */
export const vi = new Proxy(
  {},
  {
    get(_t, k) {
      throw new Error(`vi.${String(k)} is not available in the playground`);
    },
  },
);
