// Replays hunt runs of known seeds in this process, one after another, with every fault of
// each seed's schedule, and prints one JSON line per run:
//   tsx labs-test/hunt/replay-cli.ts 2C:377 2D:4849
//   {"part":"2C","seed":377,"passed":false,"message":"safety: ..."}
// No type check and no worker pool (what `make hunt-2C SEED=377 RUNS=1` adds): a tool's way
// to replay a handful of seeds in a tree quickly (raft/reference/planted-hunt.ts checks
// there that the hunt still finds each planted bug at its recorded seed). Exit 0 when every
// run ran (passed or not), 2 for a malformed argument.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { HuntError, huntPart, type HuntPart } from "./parts.js";
import { replayRun } from "./replay-run.js";

/** One run to replay: a hunt part and a seed (at least 1). */
export interface ReplayTarget {
  part: HuntPart;
  seed: number;
}

/** What one replayed run printed. */
export interface ReplayLine {
  part: string;
  seed: number;
  passed: boolean;
  /** The failure's message ("" if the run passed). */
  message: string;
}

/**
 * "2C:377" → part 2C, seed 377.
 * @throws HuntError for anything but PART:SEED with a known part and a whole seed ≥ 1.
 */
export function parseReplayTarget(arg: string): ReplayTarget {
  const m = /^([^:]+):(\d+)$/.exec(arg.trim());
  if (m === null || !Number.isSafeInteger(Number(m[2])) || Number(m[2]) < 1) {
    throw new HuntError(`${JSON.stringify(arg)}: want PART:SEED with a seed of 1 or more, like 2C:377`);
  }
  return { part: huntPart(m[1]!), seed: Number(m[2]) };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.length === 0) throw new HuntError("usage: tsx labs-test/hunt/replay-cli.ts PART:SEED... (like 2C:377 2D:4849)");
  const targets = args.map(parseReplayTarget);
  for (const { part, seed } of targets) {
    const { result, message } = await replayRun(part, seed, undefined, false);
    const line: ReplayLine = { part: part.id, seed, passed: result.passed, message };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  });
}
