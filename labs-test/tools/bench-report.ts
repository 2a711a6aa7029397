// How every bench script hands out its figures: one table (BenchTable) whose rows each
// carry the command that measured them, the commit and the machine's load. `--markdown`
// prints the table as Markdown; `--json FILE` merges it into FILE (docs/benchmarks/<id>.json),
// from which `make benchmarks` generates BENCHMARKS.md (benchmarks-md.ts). So a table in
// BENCHMARKS.md is never edited by hand: it is measured again.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import path from "node:path";
import { execaSync } from "execa";
import { z } from "zod";

/** Where a figure came from: what to type to measure it again, at which commit, under what load. */
const provenance = {
  /** e.g. `SEED=1 npm run bench:raft` (the --json and --markdown options left out). */
  command: z.string(),
  /** Short hash; `+changes` when tracked files differed from it (the figures' files aside). */
  commit: z.string(),
  /** 1-minute load average at the start and the end of the measurement, and the cores. */
  load: z.string(),
};

export const benchTableSchema = z.object({
  /** File name and anchor: labrpc, mr, raft … */
  id: z.string().regex(/^[a-z0-9-]+$/),
  /** The section's heading in BENCHMARKS.md. */
  lab: z.string(),
  /** What the table shows (one paragraph; the same for every run of the script). */
  caption: z.string(),
  columns: z.array(z.string()),
  rows: z.array(z.object({ cells: z.array(z.string()), ...provenance })),
  /** Figures that fit no column (one line each). */
  notes: z.array(z.object({ text: z.string(), ...provenance })),
});

export type BenchTable = z.infer<typeof benchTableSchema>;
type Provenance = Pick<BenchTable["rows"][number], "command" | "commit" | "load">;

/** The options every bench script takes, for node:util's parseArgs. */
export const REPORT_OPTIONS = {
  json: { type: "string" },
  markdown: { type: "boolean", default: false },
} as const;

export interface ReportTarget {
  /** Merge the table into this JSON file (created if missing). */
  json?: string;
  /** Print the table as Markdown on stdout. */
  markdown?: boolean;
}

/**
 * The command line that measures again what this process measures: the npm script that
 * runs `script` when package.json has one (`npm run bench:kv -- --seed 1`), else `npx tsx
 * script …`; preceded by the environment settings the script reads (envNames, those set).
 * The report options (--json FILE, --markdown) are left out.
 */
export function benchCommand(script: string, envNames: readonly string[] = [], argv: readonly string[] = process.argv.slice(2)): string {
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--markdown" || a.startsWith("--json=")) continue;
    if (a === "--json") {
      i++;
      continue;
    }
    args.push(/^[\w./:=,-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`);
  }
  const env = envNames.filter((n) => (process.env[n] ?? "") !== "").map((n) => `${n}=${process.env[n]} `);
  const npmScript = npmScriptFor(script);
  const base = npmScript !== undefined ? `npm run ${npmScript}` : `npx tsx ${script}`;
  const rest = args.length === 0 ? "" : npmScript !== undefined ? ` -- ${args.join(" ")}` : ` ${args.join(" ")}`;
  return `${env.join("")}${base}${rest}`;
}

function npmScriptFor(script: string): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { scripts?: Record<string, string> };
    return Object.entries(pkg.scripts ?? {}).find(([, v]) => v === `tsx ${script}`)?.[0];
  } catch {
    return undefined;
  }
}

/** The checked-out commit, `+changes` when tracked files differ (BENCHMARKS.md and the figures aside). */
export function currentCommit(cwd = "."): string {
  const git = (args: string[]): string | undefined => {
    const r = execaSync("git", args, { cwd, reject: false });
    return r.exitCode === 0 ? String(r.stdout).trim() : undefined;
  };
  const head = git(["rev-parse", "--short", "HEAD"]);
  if (head === undefined) return "unknown (not a git checkout)";
  const changes = git(["status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)docs/benchmarks", ":(exclude)BENCHMARKS.md"]);
  return changes === undefined || changes === "" ? head : `${head}+changes`;
}

/**
 * A table being measured: create it before the measurement (it notes the commit and the
 * load), add rows and notes, then finish().
 */
export class BenchReport {
  private readonly rows: BenchTable["rows"] = [];
  private readonly notes: BenchTable["notes"] = [];
  private readonly commit = currentCommit();
  private readonly loadBefore = loadavg()[0]!;

  constructor(
    private readonly head: Pick<BenchTable, "id" | "lab" | "caption" | "columns">,
    private readonly command: string,
  ) {}

  /** One row: a cell per column. Throws if the count is wrong. */
  row(cells: Array<string | number>): void {
    if (cells.length !== this.head.columns.length) {
      throw new Error(`${this.head.id}: a row of ${cells.length} cells for ${this.head.columns.length} columns`);
    }
    this.rows.push({ cells: cells.map(String), ...this.provenance() });
  }

  note(text: string): void {
    this.notes.push({ text, ...this.provenance() });
  }

  /** Print and/or merge the table (see ReportTarget); returns it as merged. */
  finish(target: ReportTarget): BenchTable {
    const load = `${this.loadBefore.toFixed(1)}–${loadavg()[0]!.toFixed(1)} (${availableParallelism()} cores)`;
    const mine: BenchTable = {
      ...this.head,
      rows: this.rows.map((r) => ({ ...r, load })),
      notes: this.notes.map((n) => ({ ...n, load })),
    };
    const table = target.json === undefined ? mine : mergeInto(target.json, mine);
    if (target.markdown === true) process.stdout.write(`\n${renderTable(mine)}\n`);
    return table;
  }

  private provenance(): Provenance {
    return { command: this.command, commit: this.commit, load: "" };
  }
}

/**
 * Merge a fresh table into the JSON file: its rows and notes replace those the same
 * command measured before; other commands' rows stay (a --realtime run beside the
 * simulated one), unless the columns changed (then they no longer fit and are dropped).
 * Written whole or not at all (its folder made if missing). Throws if the file holds
 * something that is not a table.
 */
export function mergeInto(file: string, fresh: BenchTable): BenchTable {
  let old: BenchTable | undefined;
  if (existsSync(file)) {
    const r = benchTableSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
    if (!r.success) throw new Error(`${file} is not a bench table: ${r.error.issues[0]?.message ?? "invalid"}`);
    old = r.data;
  }
  const commands = new Set([...fresh.rows, ...fresh.notes].map((x) => x.command));
  const keep = old !== undefined && JSON.stringify(old.columns) === JSON.stringify(fresh.columns);
  const table: BenchTable = {
    ...fresh,
    rows: [...(keep ? old!.rows.filter((r) => !commands.has(r.command)) : []), ...fresh.rows],
    notes: [...(keep ? old!.notes.filter((n) => !commands.has(n.command)) : []), ...fresh.notes],
  };
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  writeFileSync(tmp, JSON.stringify(table, null, 2) + "\n");
  renameSync(tmp, file);
  return table;
}

function cell(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** The table as Markdown: its caption, the rows with their command, commit and load, then the notes. */
export function renderTable(t: BenchTable): string {
  const head = [...t.columns, "command", "commit", "load"];
  const lines = [
    t.caption,
    "",
    `| ${head.map(cell).join(" | ")} |`,
    `| ${head.map(() => "---").join(" | ")} |`,
    ...t.rows.map((r) => `| ${[...r.cells.map(cell), `\`${cell(r.command)}\``, r.commit, r.load].join(" | ")} |`),
  ];
  if (t.notes.length > 0) {
    lines.push("");
    for (const n of t.notes) lines.push(`- ${n.text} (\`${n.command}\`, ${n.commit}, load ${n.load})`);
  }
  return lines.join("\n") + "\n";
}
