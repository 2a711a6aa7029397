// Errors the sharded key/value service's users see (framework side; tests import these).

/** A request the servers refused as malformed off the wire. */
export const ErrInvalidArgs = "ErrInvalidArgs";

/** Thrown by the Clerk for a call that cannot succeed (bad arguments); retrying cannot help. */
export class ShardKvError extends Error {}

/** Thrown when a server's saved snapshot cannot be decoded at restart; the message says why. */
export class CorruptSnapshotError extends Error {}
