// The Makefile's part lists, generated from the manifest (labs-test/labs.ts) and the
// schedule search's parts (labs-test/hunt/parts.ts) into `.labs-runs/parts.mk`, which the
// Makefile includes and remakes whenever either changes: a part added to the manifest gets
// its test-XX target (and watch-XX and sweep-XX when it is simulated, hunt-XX when the
// search covers it) with no edit to the Makefile.
//
// `tsx labs-test/tools/parts-mk.ts --out FILE` (the Makefile's rule) writes FILE whole (a
// temporary file renamed over it: two makes started together never read half of it).
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { PARTS, type LabPart } from "../labs.js";
import { HUNT_PARTS } from "../hunt/parts.js";

/** A part id the Makefile can name in a target: letters, digits, '-' and '_' only. */
const ID = /^[A-Za-z0-9_-]+$/;

export class PartsMkError extends Error {}

/**
 * The include file's text for these parts and these searchable part ids (those not among
 * the parts are left out). Defines PARTS (every part), SIMULATED_PARTS (those on the
 * virtual clock: Lab 1 runs real processes) and HUNT_PARTS.
 * @throws PartsMkError for an id make cannot carry in a target name.
 */
export function partsMakefile(parts: readonly Pick<LabPart, "id" | "realProcesses">[], huntIds: readonly string[]): string {
  for (const p of parts) if (!ID.test(p.id)) throw new PartsMkError(`labs-test/labs.ts: part id ${JSON.stringify(p.id)} cannot be a make target (letters, digits, - and _ only)`);
  const ids = parts.map((p) => p.id);
  return [
    "# Generated from labs-test/labs.ts and labs-test/hunt/parts.ts by labs-test/tools/parts-mk.ts;",
    "# the Makefile remakes it when they change. Do not edit.",
    `PARTS := ${ids.join(" ")}`,
    `SIMULATED_PARTS := ${parts.filter((p) => p.realProcesses !== true).map((p) => p.id).join(" ")}`,
    `HUNT_PARTS := ${ids.filter((id) => huntIds.includes(id)).join(" ")}`,
    "",
  ].join("\n");
}

function main(): void {
  const { values } = parseArgs({ options: { out: { type: "string" } } });
  if (values.out === undefined) {
    process.stderr.write("usage: parts-mk.ts --out FILE\n");
    process.exit(2);
  }
  let text: string;
  try {
    text = partsMakefile(PARTS, HUNT_PARTS.map((h) => h.id));
  } catch (e) {
    if (!(e instanceof PartsMkError)) throw e;
    process.stderr.write(`error: ${e.message}\n`);
    process.exit(2);
  }
  mkdirSync(path.dirname(values.out), { recursive: true });
  const tmp = `${values.out}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, values.out);
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) main();
