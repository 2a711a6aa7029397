// Errors the sharded key/value service's users see (framework side; tests import these).

/** A request our reference's servers refuse as impossible (a shard-transfer RPC without its fields). */
export const ErrInvalidArgs = "ErrInvalidArgs";

/** Thrown when a server's saved snapshot cannot be decoded at restart; the message says why. */
export class CorruptSnapshotError extends Error {}
