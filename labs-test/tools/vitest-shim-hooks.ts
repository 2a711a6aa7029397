// A module resolve hook (node:module register) for test processes outside vitest: "vitest",
// imported from anywhere but the stand-in itself, resolves to a stand-in. The many-seeds
// worker's is vitest-shim.ts (the default); make watch-XX's resident test process passes its
// own (watch-shim.ts) as register()'s data, `{ shimUrl }`.

interface ResolveContext {
  parentURL?: string;
}
type NextResolve = (specifier: string, context: ResolveContext) => Promise<{ url: string }>;

let shimUrl = new URL("./vitest-shim.ts", import.meta.url).href;

/** register()'s data: `{ shimUrl }` (a file URL) to use another stand-in than vitest-shim.ts. */
export function initialize(data: unknown): void {
  if (typeof data === "object" && data !== null && "shimUrl" in data && typeof data.shimUrl === "string") shimUrl = data.shimUrl;
}

export async function resolve(
  specifier: string,
  context: ResolveContext,
  next: NextResolve,
): Promise<{ url: string }> {
  if (specifier === "vitest" && context.parentURL !== shimUrl) {
    // Through the rest of the chain, so that tsx's hooks load it as TypeScript.
    return next(shimUrl, context);
  }
  return next(specifier, context);
}
