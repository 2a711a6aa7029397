// The regression list: seeds the search once failed on, kept so that `make test` replays
// each one (regressions.test.ts). One run per line:
//
//   <part> <seed> [keep=<faults>|keep=none] [hash=<8 hex digits>]  # what it found
//
// keep: only those faults of the seed's schedule (a shrunk schedule); hash: the schedule's
// hash when it was found (scheduleHash), so a change to how schedules are drawn shows up
// as a stale line instead of silently replaying another run. Blank lines and lines
// starting with # are comments.
import { HuntError, huntPart } from "./parts.js";
import { formatKeep, parseKeep, scheduleHash, selectFaults, scheduleOf, type Schedule } from "./schedule.js";

/** The list, relative to the repository root. */
export const REGRESSIONS_FILE = "labs-test/hunt/regressions.txt";

export interface Regression {
  part: string;
  seed: number;
  /** The faults to apply (undefined: all). */
  keep?: number[];
  /** The schedule's hash when the line was written. */
  hash?: string;
  comment: string;
  /** 1-based line number in the file. */
  line: number;
}

/**
 * Every run the list names, in file order.
 * @throws HuntError naming file:line and what is wrong: an unknown part, a seed that is
 *   not a whole number from 1, a bad keep= or hash=, an unknown field, a fault index the
 *   seed's schedule does not have, or the same run listed twice.
 */
export function parseRegressions(text: string, file = REGRESSIONS_FILE): Regression[] {
  const out: Regression[] = [];
  const seen = new Map<string, number>();
  text.split("\n").forEach((raw, i) => {
    const line = i + 1;
    const at = `${file}:${line}`;
    const hashAt = raw.indexOf("#");
    const body = (hashAt === -1 ? raw : raw.slice(0, hashAt)).trim();
    const comment = hashAt === -1 ? "" : raw.slice(hashAt + 1).trim();
    if (body === "") return;
    const [partId, seedText, ...fields] = body.split(/\s+/);
    let part;
    try {
      part = huntPart(partId!);
    } catch (e) {
      throw new HuntError(`${at}: ${(e as Error).message}`);
    }
    if (seedText === undefined) throw new HuntError(`${at}: want "<part> <seed> [keep=…] [hash=…]  # comment", got ${JSON.stringify(raw.trim())}`);
    if (!/^\d+$/.test(seedText) || !Number.isSafeInteger(Number(seedText)) || Number(seedText) < 1) {
      throw new HuntError(`${at}: the seed must be a whole number from 1, got ${JSON.stringify(seedText)}`);
    }
    const r: Regression = { part: part.id, seed: Number(seedText), comment, line };
    for (const f of fields) {
      const m = /^(keep|hash)=(.*)$/.exec(f);
      if (m === null) throw new HuntError(`${at}: unknown field ${JSON.stringify(f)} (want keep=<faults> or hash=<8 hex digits>; a comment starts with #)`);
      if (m[1] === "keep") {
        if (r.keep !== undefined) throw new HuntError(`${at}: keep= is given twice`);
        if (m[2] === "") throw new HuntError(`${at}: keep= is empty (keep=none for no fault)`);
        try {
          r.keep = parseKeep(m[2]!);
          selectFaults(scheduleOf(part, r.seed), r.keep);
        } catch (e) {
          throw new HuntError(`${at}: ${(e as Error).message}`);
        }
      } else {
        if (r.hash !== undefined) throw new HuntError(`${at}: hash= is given twice`);
        if (!/^[0-9a-f]{8}$/.test(m[2]!)) throw new HuntError(`${at}: hash= wants 8 hex digits, got ${JSON.stringify(m[2])}`);
        r.hash = m[2];
      }
    }
    const key = `${r.part} ${r.seed} ${r.keep === undefined ? "all" : formatKeep(r.keep)}`;
    const before = seen.get(key);
    if (before !== undefined) throw new HuntError(`${at}: the same run as line ${before}`);
    seen.set(key, line);
    out.push(r);
  });
  return out;
}

/** The line that keeps one run in the list. */
export function regressionLine(part: string, seed: number, keep: readonly number[] | undefined, schedule: Schedule, comment: string): string {
  return `${part} ${seed}${keep === undefined ? "" : ` keep=${formatKeep(keep)}`} hash=${scheduleHash(schedule)}  # ${comment}`;
}
