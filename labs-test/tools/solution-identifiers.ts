// What counts as a leak of our reference solution into something shipped to students (the
// handout, the playground's student build): identifiers of six or more characters that
// occur only inside solution regions of the student files, never in the text students get
// anyway (the stubs, the lines outside the regions, the shipped framework files).
import { readFileSync } from "node:fs";
import path from "node:path";
import { PARTS, studentFilesIn } from "../labs.js";
import { parseRegions } from "../solution-markers.js";

/** Identifiers of six or more characters in s. */
export function identifiers(s: string): Set<string> {
  return new Set(s.match(/\b[A-Za-z_][A-Za-z0-9_]{5,}\b/g) ?? []);
}

/**
 * Identifiers only our solution has: inside solution regions of root's student files, and
 * nowhere outside them (stubs included) nor in shippedText (the framework text students
 * get). Throws MarkerError (solution-markers.ts) for a malformed region.
 */
export function solutionOnlyIdentifiers(root: string, shippedText: string): string[] {
  const student = new Set(PARTS.flatMap((p) => studentFilesIn(p, root)));
  const inside = new Set<string>();
  let outside = shippedText;
  for (const f of student) {
    const lines = readFileSync(path.join(root, f), "utf8").split("\n");
    const regions = parseRegions(f, lines.join("\n"));
    let next = 0;
    for (const r of regions) {
      outside += lines.slice(next, r.begin - 1).join("\n") + "\n" + r.stub.join("\n") + "\n";
      for (const w of identifiers(lines.slice(r.begin, r.end - 1).join("\n"))) inside.add(w);
      next = r.end;
    }
    outside += lines.slice(next).join("\n");
  }
  const shipped = identifiers(outside);
  return [...inside].filter((w) => !shipped.has(w));
}
