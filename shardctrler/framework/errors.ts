// Errors the shard controller's users see (framework side; tests import these).

/**
 * A request the servers refused as malformed (from the wire) or impossible (a Join of a gid
 * present). Refusing an impossible change is allowed, never required: the course's tests
 * never ask for one (see shardctrler/common.ts).
 */
export const ErrInvalidArgs = "ErrInvalidArgs";

/**
 * Thrown by the Clerk when a call cannot succeed: bad arguments caught before sending, or
 * a request the controller refused (its reason is in the message). Retrying cannot help.
 */
export class ShardCtrlerError extends Error {}
