// node:module in the playground's worker: what the sandbox's transpiler needs (SourceMap's
// findEntry, to keep each student line on its line) and typescript-lazy.ts's require of
// the compiler, which the page bundles.
import { decode, type SourceMapMappings } from "@jridgewell/sourcemap-codec";
import ts from "typescript";

interface Payload {
  mappings: string;
}

/** node:module's SourceMap, findEntry only (0-based lines and columns, as Node's). */
export class SourceMap {
  private readonly lines: SourceMapMappings;
  constructor(payload: Payload) {
    this.lines = decode(payload.mappings);
  }

  findEntry(line: number, column: number): { generatedLine?: number; generatedColumn?: number; originalLine?: number; originalColumn?: number } {
    const segs = this.lines[line];
    if (segs === undefined || segs.length === 0) return {};
    let best: (typeof segs)[number] | undefined;
    for (const s of segs) {
      if (s[0] <= column) best = s;
      else break;
    }
    if (best === undefined || best.length < 4) return {};
    return { generatedLine: line, generatedColumn: best[0], originalLine: best[2], originalColumn: best[3] };
  }
}

export function createRequire(_from: string): (id: string) => unknown {
  return (id) => {
    if (id === "typescript") return ts;
    throw new Error(`the playground cannot load ${id}`);
  };
}

export function register(): void {
  throw new Error("the playground has no module loader hooks");
}

export default { SourceMap, createRequire, register };
