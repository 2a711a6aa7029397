// `make hunt-XX`'s settings from the environment: TIME (wall seconds) and RUNS (the
// budget; TIME=60 when neither is given), SEED (the first seed), PARALLEL (workers), KEEP
// (apply only these faults), SHRINK (0: do not shrink a failing schedule), VIS (a
// timeline page of the failing run: fail, the default, or off). Each is checked, so a
// typo gets a clear message instead of a silent default.
import { EnvError, readTestEnv } from "../harness/env.js";
import type { HuntBudget } from "./hunt.js";
import { HuntError } from "./parts.js";
import { parseKeep } from "./schedule.js";

/** The budget when the command names none: a minute. */
export const DEFAULT_SECONDS = 60;

export interface HuntSettings {
  budget: HuntBudget;
  seed?: number;
  workers?: number;
  keep?: number[];
  shrink: boolean;
  /** Write a timeline page of the failing run. */
  timeline: boolean;
}

/**
 * Read and check the settings.
 * @throws HuntError naming the variable and what it must be.
 */
export function huntSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): HuntSettings {
  const get = (k: string): string | undefined => (env[k]?.trim() ? env[k]!.trim() : undefined);
  const time = get("TIME");
  const runs = get("RUNS");
  const budget: HuntBudget = {};
  if (time !== undefined) {
    if (!/^(\d+(\.\d*)?|\.\d+)$/.test(time) || !(Number(time) > 0)) {
      throw new HuntError(`TIME=${JSON.stringify(time)}: the budget must be a positive number of seconds, like TIME=60`);
    }
    budget.seconds = Number(time);
  }
  if (runs !== undefined) {
    if (!/^\d+$/.test(runs) || !(Number(runs) >= 1) || !Number.isSafeInteger(Number(runs))) {
      throw new HuntError(`RUNS=${JSON.stringify(runs)}: the budget must be a positive whole number of runs, like RUNS=500`);
    }
    budget.runs = Number(runs);
  }
  if (budget.seconds === undefined && budget.runs === undefined) budget.seconds = DEFAULT_SECONDS;
  let t;
  try {
    t = readTestEnv(env);
  } catch (e) {
    if (e instanceof EnvError) throw new HuntError(e.message);
    throw e;
  }
  if (t.seed === 0) throw new HuntError("SEED=0: a hunt's seeds start at 1");
  const keepRaw = env.KEEP;
  const shrink = get("SHRINK");
  if (shrink !== undefined && !["0", "1"].includes(shrink)) throw new HuntError(`SHRINK=${JSON.stringify(shrink)}: must be 1 (shrink a failing schedule; the default) or 0`);
  const keep = keepRaw === undefined || keepRaw.trim() === "" ? undefined : parseKeep(keepRaw);
  return {
    budget,
    seed: t.seed,
    workers: t.parallel,
    keep,
    shrink: shrink === undefined ? keep === undefined : shrink === "1",
    timeline: t.vis !== "off",
  };
}
