import { partOfTest } from "../labs.js";

/** The exact command that replays one graded test with one seed. */
export function replayCommand(name: string, seed: number, realtime: boolean, testFile?: string): string {
  const part = partOfTest(name, testFile)?.id ?? "all";
  return `make test-${part} SEED=${seed} RUN=${name}${realtime ? " REALTIME=1" : ""}`;
}
