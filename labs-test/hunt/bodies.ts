// The run body of each hunt part, loaded on demand: a 2C hunt loads Raft and its harness
// only, never kvraft or shardkv (whose student files may still be stubs).
import type { World } from "../../runtime/world.js";
import type { HuntPart } from "./parts.js";

/** One run in a fresh world (seed = the world's); keep: the schedule's faults to apply (default all). */
export type HuntBody = (w: World, keep?: readonly number[]) => Promise<void>;

/** The run body of part (importing its lab's harness and student files now). */
export async function huntBody(part: HuntPart): Promise<HuntBody> {
  switch (part.lab) {
    case "raft": {
      const { raftRun } = await import("./raft-run.js");
      return (w, keep) => raftRun(part, w, keep);
    }
    case "kvraft": {
      const { kvraftRun } = await import("./kvraft-run.js");
      return (w, keep) => kvraftRun(part, w, keep);
    }
    case "shardctrler": {
      const { shardctrlerRun } = await import("./shardctrler-run.js");
      return (w, keep) => shardctrlerRun(part, w, keep);
    }
    case "shardkv": {
      const { shardkvRun } = await import("./shardkv-run.js");
      return (w, keep) => shardkvRun(part, w, keep);
    }
  }
}
