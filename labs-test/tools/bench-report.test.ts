// The bench scripts' common table and BENCHMARKS.md's generated region: a run replaces
// what the same command measured and keeps the rest; the prose around the tables stays;
// bad input is refused with its file named.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { benchCommand, mergeInto, renderTable, type BenchTable } from "./bench-report.js";
import { BEGIN, END, FiguresError, readTables, withTables, writeBenchmarksMd } from "./benchmarks-md.js";

const dir = mkdtempSync(path.join(tmpdir(), "labs-bench-report-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function table(command: string, value: string, columns = ["mode", "value"]): BenchTable {
  return {
    id: "kvraft",
    lab: "Lab 3: kvraft",
    caption: "A caption.",
    columns,
    rows: [{ cells: columns.map((c) => (c === "value" ? value : command.includes("realtime") ? "real time" : "simulated")), command, commit: "abc1234", load: "1.0–2.0 (2 cores)" }],
    notes: [{ text: `note of ${command}`, command, commit: "abc1234", load: "1.0–2.0 (2 cores)" }],
  };
}

test("a run replaces the rows its command measured before and keeps the other commands' rows", () => {
  const file = path.join(dir, "figures", "kvraft.json");
  mergeInto(file, table("npm run bench:kv", "1"));
  mergeInto(file, table("npm run bench:kv -- --realtime", "2"));
  const t = mergeInto(file, table("npm run bench:kv", "3"));
  expect(t.rows.map((r) => [r.command, r.cells[1]])).toEqual([
    ["npm run bench:kv -- --realtime", "2"],
    ["npm run bench:kv", "3"],
  ]);
  expect(t.notes.map((n) => n.text)).toEqual(["note of npm run bench:kv -- --realtime", "note of npm run bench:kv"]);
  // New columns: the old rows no longer fit, and go.
  const wider = mergeInto(file, table("npm run bench:kv", "4", ["mode", "value", "more"]));
  expect(wider.rows).toHaveLength(1);
  expect(JSON.parse(readFileSync(file, "utf8"))).toEqual(wider);
});

test("a figures file that is not a table is refused, not overwritten", () => {
  const file = path.join(dir, "broken.json");
  writeFileSync(file, '{"id": "broken"}\n');
  expect(() => mergeInto(file, table("x", "1"))).toThrow(/broken\.json is not a bench table/);
  expect(readFileSync(file, "utf8")).toBe('{"id": "broken"}\n');
});

test("each row carries its command, commit and load; cells are escaped", () => {
  const t = table("npm run bench:kv", "a|b");
  const md = renderTable(t);
  expect(md).toContain("| mode | value | command | commit | load |");
  expect(md).toContain("| simulated | a\\|b | `npm run bench:kv` | abc1234 | 1.0–2.0 (2 cores) |");
  expect(md).toContain("- note of npm run bench:kv (`npm run bench:kv`, abc1234, load 1.0–2.0 (2 cores))");
});

test("the command names the npm script and the settings, without the report options", () => {
  const env = process.env.SEED;
  process.env.SEED = "1";
  try {
    expect(benchCommand("raft/framework/bench.ts", ["SEED", "REALTIME"], ["2A", "--json", "docs/benchmarks/raft.json", "--markdown"])).toBe("SEED=1 npm run bench:raft -- 2A");
  } finally {
    if (env === undefined) delete process.env.SEED;
    else process.env.SEED = env;
  }
  expect(benchCommand("kvraft/framework/bench.ts", [], ["--seed", "1", "--json=x.json"])).toBe("npm run bench:kv -- --seed 1");
  expect(benchCommand("labs-test/no-such-bench.ts", [], ["--run", "a b"])).toBe("npx tsx labs-test/no-such-bench.ts --run 'a b'");
});

test("BENCHMARKS.md: the tables between the markers are rewritten, the prose around them kept", () => {
  const root = path.join(dir, "repo");
  mkdirSync(path.join(root, "docs", "benchmarks"), { recursive: true });
  mergeInto(path.join(root, "docs", "benchmarks", "kvraft.json"), table("npm run bench:kv", "7"));
  const labrpc = { ...table("npm run bench", "9"), id: "labrpc", lab: "labrpc" };
  mergeInto(path.join(root, "docs", "benchmarks", "labrpc.json"), labrpc);
  const doc = `# Benchmarks\n\nintro\n\n${BEGIN}\nold tables\n${END}\n\n## Codec speed\n\nwritten by hand\n`;
  writeFileSync(path.join(root, "BENCHMARKS.md"), doc);
  expect(writeBenchmarksMd(root).map((t) => t.id)).toEqual(["labrpc", "kvraft"]);
  const out = readFileSync(path.join(root, "BENCHMARKS.md"), "utf8");
  expect(out.startsWith("# Benchmarks\n\nintro\n\n")).toBe(true);
  expect(out.endsWith(`${END}\n\n## Codec speed\n\nwritten by hand\n`)).toBe(true);
  expect(out).not.toContain("old tables");
  expect(out.indexOf("## labrpc")).toBeLessThan(out.indexOf("## Lab 3: kvraft"));
  // Generating again changes nothing.
  writeBenchmarksMd(root);
  expect(readFileSync(path.join(root, "BENCHMARKS.md"), "utf8")).toBe(out);
});

test("no markers, or a table in the wrong file, is an error naming what is wrong", () => {
  expect(() => withTables("# Benchmarks\n", [])).toThrow(FiguresError);
  expect(() => withTables(`${END}\n${BEGIN}\n`, [])).toThrow(/no generated region/);
  const bad = path.join(dir, "bad-figures");
  mkdirSync(bad, { recursive: true });
  writeFileSync(path.join(bad, "raft.json"), JSON.stringify(table("x", "1")));
  expect(() => readTables(bad)).toThrow(/raft\.json holds table kvraft/);
  writeFileSync(path.join(bad, "raft.json"), "{ not json");
  expect(() => readTables(bad)).toThrow(/raft\.json: not JSON/);
});
