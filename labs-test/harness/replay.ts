import { partOfTest } from "../labs.js";

/** The exact command that replays one graded test with one seed. */
export function replayCommand(name: string, seed: number, realtime: boolean): string {
  const part = partOfTest(name)?.id ?? "all";
  return `make test-${part} SEED=${seed} RUN=${name}${realtime ? " REALTIME=1" : ""}`;
}
