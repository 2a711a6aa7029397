// Config #0, the configuration every shard controller starts from (framework side: the
// controller, the shardkv servers and their clerks all need the same one).
import { NShards, type Config } from "../common.js";

/** Config #0: no groups, every shard on the invalid gid 0. A fresh object on every call. */
export function zeroConfig(): Config {
  return { num: 0, shards: new Array<number>(NShards).fill(0), groups: {} };
}
