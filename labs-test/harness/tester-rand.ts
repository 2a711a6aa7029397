// The tester's randomness (Go's math/rand in the course's config.go and test_test.go files),
// all drawn from the world's "tester" stream: a seed replays the test's choices exactly,
// and the lab code's own draws (the "lab" stream) never shift them.
import { world } from "../../runtime/index.js";

const RANDSTRING_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/**
 * n random base64url characters: the course's randstring (config.go), used for labrpc end
 * names. Throws RangeError unless n is a non-negative integer.
 */
export function randstring(n: number): string {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`randstring: length must be a non-negative integer, got ${n}`);
  const r = world().rand("tester");
  let s = "";
  for (let i = 0; i < n; i++) s += RANDSTRING_ALPHABET[r.randInt(64)];
  return s;
}

/** Go's rand.Int() for commands: a random non-negative safe integer. */
export function randomCommand(): number {
  return world().rand("tester").nrand();
}

/** Go's rand.Int() % n: uniform in [0, n). Throws RangeError unless n is a positive integer. */
export function randn(n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`randn: n must be a positive integer, got ${n}`);
  return world().rand("tester").randInt(n);
}

/** Shuffle xs in place (Fisher–Yates, as the course's random_handles does for a clerk's ends); returns xs. */
export function shuffle<T>(xs: T[]): T[] {
  const r = world().rand("tester");
  for (let i = xs.length - 1; i > 0; i--) {
    const k = r.randInt(i + 1);
    [xs[i], xs[k]] = [xs[k]!, xs[i]!];
  }
  return xs;
}
