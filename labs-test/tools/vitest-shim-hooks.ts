// A module resolve hook (node:module register) for the many-seeds worker: "vitest",
// imported from anywhere but the stand-in itself, resolves to vitest-shim.ts.

interface ResolveContext {
  parentURL?: string;
}
type NextResolve = (specifier: string, context: ResolveContext) => Promise<{ url: string }>;

const shimUrl = new URL("./vitest-shim.ts", import.meta.url).href;

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
