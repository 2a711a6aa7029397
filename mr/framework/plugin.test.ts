import { afterAll, expect, test } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppLoadError, loadApp } from "./plugin.js";

const dir = mkdtempSync(join(tmpdir(), "mr-plugin-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fixture(name: string, code: string): string {
  const p = join(dir, name);
  writeFileSync(p, code);
  return p;
}

test("built-in apps load by path or by bare name", async () => {
  const app = await loadApp("apps/wc.ts");
  expect(await app.map("f", "a b a")).toHaveLength(3);
  expect(await app.reduce("a", ["1", "1"])).toBe("2");
  expect((await loadApp("indexer")).path).toMatch(/apps[/\\]indexer\.ts$/);
});

test("the course's capitalised Map/Reduce names are accepted", async () => {
  const app = await loadApp(fixture("caps.mjs", 'export const Map = (f) => [{ Key: f, Value: "1" }];\nexport const Reduce = (k, vs) => String(vs.length);\n'));
  expect(await app.map("x", "")).toEqual([{ Key: "x", Value: "1" }]);
});

test("missing files and modules without map/reduce are clear errors", async () => {
  await expect(loadApp(join(dir, "nope.mjs"))).rejects.toThrow(/app not found: .*nope\.mjs/);
  await expect(loadApp("")).rejects.toThrow(AppLoadError);
  await expect(loadApp(dir)).rejects.toThrow(/is not a file/);
  await expect(loadApp(fixture("half.mjs", "export function map() { return []; }\nexport const other = 1;\n"))).rejects.toThrow(
    /does not export reduce as a function \(exports: map: function, other: number\)/,
  );
  await expect(loadApp(fixture("broken.mjs", "export function map( {\n"))).rejects.toThrow(/cannot load app/);
});

test("an app's bad return values are caught where they happen", async () => {
  const app = await loadApp(fixture("bad.mjs", 'export const map = () => [{ key: "lower" }];\nexport const reduce = () => 3;\n'));
  expect(() => app.map("in.txt", "")).toThrow(/map in .*bad\.mjs returned \{"key":"lower"\} for in\.txt/);
  expect(() => app.reduce("k", [])).toThrow(/reduce in .*bad\.mjs returned number for key "k"/);
});
