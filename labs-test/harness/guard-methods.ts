// A harness-side wrapper around a student's Clerk: the listed methods check their
// arguments before the student's code runs, so a student file holds only the course's API
// and bad input still gets a clear error (kvraft's and Lab 4's Clerk guards use it).

/** What is wrong with a call's arguments, as an Error to reject with, or undefined. */
export type CallCheck = (method: string, args: readonly unknown[]) => Error | undefined;

/**
 * target, whose methods named in methods first run check: a call it objects to rejects
 * with its Error and never reaches target. A well-formed call runs target's method; then
 * completed(method), if given, runs once the call resolves (and may throw to fail it).
 * Every other property is target's, unchanged.
 */
export function guardMethods<C extends object>(
  target: C,
  methods: ReadonlySet<string>,
  check: CallCheck,
  completed?: (method: string) => void,
): C {
  return new Proxy(target, {
    get(t, prop, receiver) {
      const v: unknown = Reflect.get(t, prop, receiver);
      if (typeof prop !== "string" || !methods.has(prop) || typeof v !== "function") return v;
      const fn = v as (...a: unknown[]) => unknown;
      return (...args: unknown[]): unknown => {
        const err = check(prop, args);
        if (err !== undefined) return Promise.reject(err);
        const r = fn.apply(t, args);
        if (completed === undefined) return r;
        return Promise.resolve(r).then((x) => {
          completed(prop);
          return x;
        });
      };
    },
  });
}
