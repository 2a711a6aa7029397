// The order of call and return events that both the search and the picture use.
// At equal times calls come before returns: an op that returns at t and one called at t
// count as concurrent (the course's porcupine orders them so too), so either may be
// linearized first.
import type { Operation } from "./model.js";

/** Throws on a timestamp the checker cannot order (non-finite, or return < call). */
export function validateTimes<I, O>(ops: readonly Operation<I, O>[]): void {
  ops.forEach((op, k) => {
    if (!Number.isFinite(op.call) || !Number.isFinite(op.return) || op.call > op.return) {
      throw new Error(
        `porcupine: operation ${k} (client ${op.clientId}) has call=${op.call} return=${op.return}; ` +
          "need finite times with call <= return",
      );
    }
  });
}

/**
 * All 2n events sorted by (time, calls first, op index), each encoded as
 * opIndex * 2 + (0 for the call | 1 for the return).
 */
export function eventOrder<I, O>(ops: readonly Operation<I, O>[]): number[] {
  const time = (ev: number): number => {
    const op = ops[ev >> 1]!;
    return (ev & 1) === 0 ? op.call : op.return;
  };
  const evs: number[] = [];
  for (let k = 0; k < ops.length; k++) evs.push(2 * k, 2 * k + 1);
  evs.sort((a, b) => time(a) - time(b) || (a & 1) - (b & 1) || a - b);
  return evs;
}
