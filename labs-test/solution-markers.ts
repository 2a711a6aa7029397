// The markers around our reference solution in student files, parsed in one place: the
// handout generator turns each region into a stub, and the runner asks whether a part's
// reference solution is present (its student files still hold regions).
//
// A region is a run of whole lines (W is the marker word, WORD below; spelled out here,
// these lines would themselves be markers):
//   <indent>// W BEGIN [tag]     tag (e.g. 2A) goes into the stub: "Your code here (2A)."
//   ...reference code...
//   <indent>// W STUB            optional: the lines up to END are the stub's code,
//   <indent>// return "";        written as comments so the reference compiles
//   <indent>// W END
// Markers anywhere else (inside a string, after code, nested, unclosed) are errors.

/** The marker word, assembled so that this file holds neither it nor a marker line (the handout leak test greps for it). */
const WORD = ["SOLU", "TION"].join("");
const LINE = new RegExp(`^([ \\t]*)// ${WORD} (BEGIN|STUB|END)(?:[ \\t]+(\\S+))?[ \\t]*$`);
const ANYWHERE = new RegExp(`${WORD} (BEGIN|STUB|END)`);

/** A skeleton comment addressed to the student ("Your code here", "You'll have to …"). */
const SAYS_YOURS = /^[ \t]*\/\/.*\b(Your|You)\b/;

export class MarkerError extends Error {}

export interface Region {
  /** 1-based line numbers of BEGIN and END. */
  begin: number;
  end: number;
  indent: string;
  tag?: string;
  /** The stub's code lines, uncommented, without indentation changes. */
  stub: string[];
}

/**
 * The regions of one file's text, in order.
 * @throws MarkerError naming file and line for a marker that is not a line of its own, a
 *   BEGIN inside a region, a STUB or END outside one, a tag on STUB or END, a stub line that
 *   is not a comment, or a region left unclosed.
 */
export function parseRegions(file: string, text: string): Region[] {
  const lines = text.split("\n");
  const regions: Region[] = [];
  let open: (Region & { inStub: boolean }) | undefined;
  lines.forEach((line, i) => {
    const n = i + 1;
    const where = `${file}:${n}`;
    const m = LINE.exec(line);
    if (m === null) {
      if (ANYWHERE.test(line)) {
        throw new MarkerError(`${where}: a ${WORD} marker must be a line of its own ("// ${WORD} BEGIN [tag]"), not inside code or a string: ${line.trim()}`);
      }
      if (open?.inStub) {
        const c = /^[ \t]*\/\/ ?(.*)$/.exec(line);
        if (c === null) throw new MarkerError(`${where}: a stub line must be a comment (the stub's code, commented out): ${line.trim()}`);
        open.stub.push(line.slice(0, line.indexOf("//")) + c[1]!);
      }
      return;
    }
    const [, indent, kind, tag] = m as unknown as [string, string, string, string | undefined];
    if (kind === "BEGIN") {
      if (open !== undefined) throw new MarkerError(`${where}: ${WORD} BEGIN inside the region opened at line ${open.begin} (regions do not nest)`);
      open = { begin: n, end: 0, indent, stub: [], inStub: false, ...(tag === undefined ? {} : { tag }) };
      return;
    }
    if (tag !== undefined) throw new MarkerError(`${where}: ${WORD} ${kind} takes no tag (put it on BEGIN)`);
    if (open === undefined) throw new MarkerError(`${where}: ${WORD} ${kind} without a ${WORD} BEGIN before it`);
    if (kind === "STUB") {
      if (open.inStub) throw new MarkerError(`${where}: a second ${WORD} STUB in the region opened at line ${open.begin}`);
      open.inStub = true;
      return;
    }
    const { inStub: _, ...region } = open;
    regions.push({ ...region, end: n });
    open = undefined;
  });
  if (open !== undefined) throw new MarkerError(`${file}:${open.begin}: ${WORD} BEGIN is never closed (no ${WORD} END after it)`);
  return regions;
}

/** Whether text holds any marker at all (a quick test; parseRegions validates). */
export function hasMarkers(text: string): boolean {
  return ANYWHERE.test(text);
}

/**
 * Whether a file is solution and nothing else: it holds a region, and every line outside
 * its regions is blank or a comment (a header). The handout leaves such a helper file out
 * rather than ship an empty stub of our file split.
 * @throws MarkerError as parseRegions does.
 */
export function whollySolution(file: string, text: string): boolean {
  const regions = parseRegions(file, text);
  const lines = text.split("\n");
  let next = 0;
  for (const r of regions) {
    if (lines.slice(next, r.begin - 1).some((l) => !/^\s*(\/\/.*)?$/.test(l))) return false;
    next = r.end;
  }
  return regions.length > 0 && lines.slice(next).every((l) => /^\s*(\/\/.*)?$/.test(l));
}

/**
 * text with every region replaced by its stub: `<indent>// Your code here (tag).` and the
 * stub's code lines (the first is left out when the skeleton's comment just above already
 * addresses the student). Deterministic: the same text gives the same bytes.
 * @throws MarkerError as parseRegions does.
 */
export function stubRegions(file: string, text: string): string {
  const regions = parseRegions(file, text);
  const lines = text.split("\n");
  const out: string[] = [];
  let next = 0;
  for (const r of regions) {
    out.push(...lines.slice(next, r.begin - 1));
    // The skeleton often says it already, right above ("// Your code here (2A)."): once is enough.
    if (!SAYS_YOURS.test(out[out.length - 1] ?? "")) {
      out.push(`${r.indent}// Your code here${r.tag === undefined ? "" : ` (${r.tag})`}.`);
    }
    out.push(...r.stub);
    next = r.end;
  }
  out.push(...lines.slice(next));
  return out.join("\n");
}
