// The runner's type-check: a project with a type error is reported as such, naming the
// file and the error; a clean one passes.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { describeTypeErrors, typecheck } from "./typecheck.js";

const dir = mkdtempSync(path.join(tmpdir(), "labs-typecheck-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function project(source: string): void {
  mkdirSync(path.join(dir, "raft"), { recursive: true });
  writeFileSync(
    path.join(dir, "tsconfig.json"),
    JSON.stringify({ compilerOptions: { strict: true, noEmit: true, module: "NodeNext", types: [] }, include: ["raft"] }),
  );
  writeFileSync(path.join(dir, "raft", "raft.ts"), source);
}

test("a type error in a student file is reported with its file and line", async () => {
  project('export const term: number = "one";\n');
  const r = await typecheck({ buildInfoDir: ".labs-runs", dir });
  expect(r.ok).toBe(false);
  expect(r.output).toMatch(/raft\/raft\.ts\(1,14\): error TS2322/);
  const msg = describeTypeErrors(r.output, ["raft/raft.ts"]);
  expect(msg).toMatch(/^type errors: .*no test was run/);
  expect(msg).toContain("files: raft/raft.ts");
}, 60_000);

test("a clean project passes", async () => {
  project("export const term: number = 1;\n");
  const r = await typecheck({ buildInfoDir: ".labs-runs", dir });
  expect(r).toEqual({ ok: true, output: "" });
}, 60_000);

test("a file set is checked with what it imports, and nothing else", async () => {
  project('import { term } from "./raft.js";\nexport const t: number = term;\n');
  writeFileSync(path.join(dir, "raft", "raft.ts"), "export const term = 1;\n");
  // Outside the closure of the files checked: an error here must not count.
  writeFileSync(path.join(dir, "raft", "reference-internals.ts"), 'export const x: number = "no";\n');
  writeFileSync(path.join(dir, "raft", "part.test.ts"), 'import { t } from "./bad-import.js";\nexport const u = t;\n');
  writeFileSync(path.join(dir, "raft", "bad-import.ts"), 'import { term } from "./raft.js";\nexport const t: string = term;\n');
  const ok = await typecheck({ buildInfoDir: ".labs-runs", dir, files: ["raft/raft.ts"] });
  expect(ok).toEqual({ ok: true, output: "" });
  const bad = await typecheck({ buildInfoDir: ".labs-runs", dir, files: ["raft/part.test.ts"] });
  expect(bad.ok).toBe(false);
  expect(bad.output).toMatch(/raft\/bad-import\.ts\(2,14\): error TS2322/);
  expect(bad.output).not.toMatch(/reference-internals/);
}, 60_000);

test("student files' errors are listed first", () => {
  const out = "labs-test/x.ts(2,1): error TS1: a\nraft/raft.ts(3,1): error TS2: b";
  const msg = describeTypeErrors(out, ["raft/raft.ts"]);
  expect(msg.indexOf("raft/raft.ts(3,1)")).toBeLessThan(msg.indexOf("labs-test/x.ts(2,1)"));
});
