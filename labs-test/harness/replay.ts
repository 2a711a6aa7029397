import { findPart, partOfTest } from "../labs.js";

/**
 * The exact command that replays one graded test with one seed. The part is found by
 * name (and test file, since two labs share "TestBasic"), or given (a recorded result's part).
 */
export function replayCommand(name: string, seed: number, realtime: boolean, testFile?: string, partId?: string): string {
  const part = (partId !== undefined && partId !== "" ? findPart(partId)?.id : undefined) ?? partOfTest(name, testFile)?.id ?? "all";
  return `make test-${part} SEED=${seed} RUN=${name}${realtime ? " REALTIME=1" : ""}`;
}
