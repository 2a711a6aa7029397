// BENCHMARKS.md's tables, generated: one section per table in docs/benchmarks/*.json (what
// the bench scripts' --json wrote, bench-report.ts), in lab order, between two marker
// lines. Everything outside the markers is prose kept as it is.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { benchTableSchema, renderTable, type BenchTable } from "./bench-report.js";
import { labFolders } from "../labs.js";

export const FIGURES_DIR = path.join("docs", "benchmarks");
export const BENCHMARKS_MD = "BENCHMARKS.md";
export const BEGIN = "<!-- BEGIN generated tables: `make benchmarks` writes them from docs/benchmarks/*.json; do not edit by hand -->";
export const END = "<!-- END generated tables -->";

/** The sections' order: the loop, the labs in the manifest's order, then any other table by id. */
const ORDER = ["loop", ...labFolders(), "porcupine", "vis", "playground"];

export class FiguresError extends Error {}

/** Every table in dir, in section order. Throws FiguresError naming a file that is not a table. */
export function readTables(dir: string = FIGURES_DIR): BenchTable[] {
  if (!existsSync(dir)) return [];
  const tables = readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => {
      const file = path.join(dir, f);
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(file, "utf8"));
      } catch (e) {
        throw new FiguresError(`${file}: not JSON (${(e as Error).message})`);
      }
      const r = benchTableSchema.safeParse(raw);
      if (!r.success) throw new FiguresError(`${file}: not a bench table: ${r.error.issues[0]?.path.join(".")} ${r.error.issues[0]?.message}`);
      if (`${r.data.id}.json` !== f) throw new FiguresError(`${file} holds table ${r.data.id}; it belongs in ${r.data.id}.json`);
      return r.data;
    });
  const rank = (id: string): number => (ORDER.includes(id) ? ORDER.indexOf(id) : ORDER.length);
  return tables.sort((a, b) => rank(a.id) - rank(b.id) || a.id.localeCompare(b.id));
}

/** The generated region: a `## lab` section per table. */
export function renderTables(tables: readonly BenchTable[]): string {
  return tables.map((t) => `## ${t.lab}\n\n${renderTable(t)}`).join("\n");
}

/**
 * The document with its generated region replaced by these tables. Throws FiguresError
 * when the markers are missing or out of order (the prose around them is not guessed at).
 */
export function withTables(doc: string, tables: readonly BenchTable[]): string {
  const b = doc.indexOf(BEGIN);
  const e = doc.indexOf(END);
  if (b < 0 || e < 0 || e < b) {
    throw new FiguresError(`${BENCHMARKS_MD} has no generated region: put the lines\n${BEGIN}\n${END}\nwhere the tables go`);
  }
  return `${doc.slice(0, b + BEGIN.length)}\n\n${renderTables(tables)}\n${doc.slice(e)}`;
}

/** Rewrite BENCHMARKS.md (in root) from the figures; returns the tables written. */
export function writeBenchmarksMd(root = "."): BenchTable[] {
  const tables = readTables(path.join(root, FIGURES_DIR));
  const file = path.join(root, BENCHMARKS_MD);
  writeFileSync(file, withTables(readFileSync(file, "utf8"), tables));
  return tables;
}
