// Node module hooks (node:module register) for the processes that run student code outside
// vitest (the many-seeds worker, in-process.ts): an import that resolves to a student file
// gets the stand-in module of shim.ts instead. Registered by install.ts with the student
// files' export names (computed on the main thread, so this thread never loads TypeScript).
import { fileURLToPath } from "node:url";
import { shimSource } from "./shim.js";

interface InitData {
  /** file URL of a student file → its value export names. */
  shims: Record<string, string[]>;
  /** file URL of student-modules.ts (the one module instance every stand-in uses). */
  modulesUrl: string;
}

interface ResolveContext {
  parentURL?: string;
}
type NextResolve = (specifier: string, context: ResolveContext) => Promise<{ url: string; format?: string | null }>;
type NextLoad = (url: string, context: object) => Promise<{ format: string; source?: string | ArrayBuffer | Uint8Array }>;

const SUFFIX = "?labs-sandbox-shim";
let data: InitData = { shims: {}, modulesUrl: "" };

export function initialize(d: InitData): void {
  data = d;
}

export async function resolve(specifier: string, context: ResolveContext, next: NextResolve): Promise<{ url: string; format?: string | null; shortCircuit?: boolean }> {
  const r = await next(specifier, context);
  const bare = r.url.split("?")[0]!;
  if (Object.hasOwn(data.shims, bare)) return { url: bare + SUFFIX, format: "module", shortCircuit: true };
  return r;
}

export async function load(url: string, context: object, next: NextLoad): Promise<{ format: string; source?: string | ArrayBuffer | Uint8Array; shortCircuit?: boolean }> {
  if (url.endsWith(SUFFIX)) {
    const bare = url.slice(0, -SUFFIX.length);
    return { format: "module", source: shimSource(fileURLToPath(bare), data.shims[bare]!, data.modulesUrl), shortCircuit: true };
  }
  return next(url, context);
}
