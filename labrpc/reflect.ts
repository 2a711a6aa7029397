// Which methods of a receiver become RPC handlers when none are listed: the course's
// labrpc.MakeService registers every exported method, so a student names handlers freely.
// The rule (the student README says it too): every method, TypeScript `private` ones
// included (TypeScript erases `private`, so nothing at run time can tell), except
// NOT_HANDLERS, names starting with "_", and JavaScript #private methods (invisible here).

/**
 * Methods the harness or service calls directly and that are never RPC handlers (Raft's
 * and the services' course API, and JavaScript's own).
 */
export const NOT_HANDLERS: ReadonlySet<string> = new Set([
  "constructor",
  "start",
  "getState",
  "kill",
  "killed",
  "snapshot",
  "condInstallSnapshot",
  "toString",
  "toJSON",
  "valueOf",
]);

/**
 * Names of every function-valued own or inherited property of receiver (up to, not
 * including, Object.prototype), minus NOT_HANDLERS and names starting with "_"; getters
 * are not called. Sorted, so registration does not depend on declaration order.
 */
export function reflectHandlers(receiver: object): string[] {
  const names = new Set<string>();
  for (let o: object | null = receiver; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
    for (const key of Object.getOwnPropertyNames(o)) {
      const d = Object.getOwnPropertyDescriptor(o, key);
      if (d === undefined || typeof d.value !== "function") continue;
      if (NOT_HANDLERS.has(key) || key.startsWith("_")) continue;
      names.add(key);
    }
  }
  return [...names].sort();
}
