// "Progress must return within a bound": a step of the healing phase that does not finish
// in time fails the run with a message saying what hung, instead of waiting for the
// harness's 120 s limit.
import { after, type Timer } from "../../runtime/index.js";

/**
 * p, or a rejection with Error(what()) once ms virtual ms pass first. The timer is
 * cancelled when p settles, so nothing fires later in the run.
 */
export async function within<T>(p: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: Timer | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = after(ms, () => reject(new Error(what())));
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    timer?.cancel();
  }
}
