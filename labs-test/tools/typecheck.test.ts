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
  const r = await typecheck(dir, dir);
  expect(r.ok).toBe(false);
  expect(r.output).toMatch(/raft\/raft\.ts\(1,14\): error TS2322/);
  const msg = describeTypeErrors(r.output, ["raft/raft.ts"]);
  expect(msg).toMatch(/^type errors: .*no test was run/);
  expect(msg).toContain("files: raft/raft.ts");
}, 60_000);

test("a clean project passes", async () => {
  project("export const term: number = 1;\n");
  const r = await typecheck(dir, dir);
  expect(r).toEqual({ ok: true, output: "" });
}, 60_000);

test("student files' errors are listed first", () => {
  const out = "labs-test/x.ts(2,1): error TS1: a\nraft/raft.ts(3,1): error TS2: b";
  const msg = describeTypeErrors(out, ["raft/raft.ts"]);
  expect(msg.indexOf("raft/raft.ts(3,1)")).toBeLessThan(msg.indexOf("labs-test/x.ts(2,1)"));
});
