import { findPart, partOfTest } from "../labs.js";

/**
 * The exact command that replays one graded test with one seed. The part is found by
 * name (and test file, since two labs share "TestBasic"), or given (a recorded result's part).
 */
export function replayCommand(name: string, seed: number, realtime: boolean, testFile?: string, partId?: string): string {
  const part = (partId !== undefined && partId !== "" ? findPart(partId)?.id : undefined) ?? partOfTest(name, testFile)?.id ?? "all";
  return `make test-${part} SEED=${seed} RUN=${name}${realtime ? " REALTIME=1" : ""}`;
}

/**
 * The report of a failed run, as go test prints it, with its replay command and, when
 * given, the run's other simulator options (World.describeOptions: the clock, the virtual
 * limit, the cost model). testFile (relative to the repository root) picks the part where
 * test names repeat across labs.
 */
export function failReport(name: string, seed: number, detail: string, realtime: boolean, testFile?: string, options?: string): string {
  return `--- FAIL: ${name} (seed ${seed})\n    ${detail}\n    replay: ${replayCommand(name, seed, realtime, testFile)}\n${optionsLine(options)}`;
}

/** The options line of a failure's report ("" without options), newline included. */
export function optionsLine(options: string | undefined): string {
  return options === undefined ? "" : `    simulator: ${options}\n`;
}
