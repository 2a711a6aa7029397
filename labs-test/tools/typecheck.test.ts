// The runner's type-check: a project with a type error is reported as such, naming the
// file and the error; a clean one passes.
import { mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { describeTypeErrors, typecheck } from "./typecheck.js";
import { stampHolds, takeStamp } from "./typecheck-stamp.js";
import { TypecheckSession } from "./typecheck-session.js";

const dir = mkdtempSync(path.join(tmpdir(), "labs-typecheck-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function project(source: string): void {
  mkdirSync(path.join(dir, "raft"), { recursive: true });
  writeFileSync(
    path.join(dir, "tsconfig.json"),
    // ES2022's library only (no DOM) and no library check: each tsc run stays small.
    JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, module: "NodeNext", target: "ES2022", lib: ["ES2022"], types: [], skipLibCheck: true },
      include: ["raft"],
    }),
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
  expect(r).toEqual({ ok: true, output: "", unchanged: false });
}, 60_000);

test("a file set is checked with what it imports, and nothing else", async () => {
  project('import { term } from "./raft.js";\nexport const t: number = term;\n');
  writeFileSync(path.join(dir, "raft", "raft.ts"), "export const term = 1;\n");
  // Outside the closure of the files checked: an error here must not count.
  writeFileSync(path.join(dir, "raft", "reference-internals.ts"), 'export const x: number = "no";\n');
  writeFileSync(path.join(dir, "raft", "part.test.ts"), 'import { t } from "./bad-import.js";\nexport const u = t;\n');
  writeFileSync(path.join(dir, "raft", "bad-import.ts"), 'import { term } from "./raft.js";\nexport const t: string = term;\n');
  const ok = await typecheck({ buildInfoDir: ".labs-runs", dir, files: ["raft/raft.ts"] });
  expect(ok).toEqual({ ok: true, output: "", unchanged: false });
  const bad = await typecheck({ buildInfoDir: ".labs-runs", dir, files: ["raft/part.test.ts"] });
  expect(bad.ok).toBe(false);
  expect(bad.output).toMatch(/raft\/bad-import\.ts\(2,14\): error TS2322/);
  expect(bad.output).not.toMatch(/reference-internals/);
}, 180_000);

test("a clean check is not repeated on an unchanged tree, and every change is checked again", async () => {
  project("export const term: number = 1;\n");
  writeFileSync(path.join(dir, "raft", "part.test.ts"), 'import { term } from "./raft.js";\nexport const t: number = term;\n');
  // A file saved in the same clock tick as the check starts counts as changed during the
  // check (file times are coarse): age every file, as a student's save before make is.
  const check = () => {
    for (const f of ["raft/raft.ts", "raft/part.test.ts", "raft/helper.ts"].map((f) => path.join(dir, f))) {
      const st = statSync(f, { throwIfNoEntry: false });
      if (st !== undefined) utimesSync(f, st.atimeMs / 1000, (st.mtimeMs - 10_000) / 1000);
    }
    return typecheck({ buildInfoDir: ".labs-runs", dir, files: ["raft/part.test.ts"] });
  };
  expect(await check()).toEqual({ ok: true, output: "", unchanged: false });
  expect(await check()).toEqual({ ok: true, output: "", unchanged: true });
  // An edit to an imported file (not one named in files): reported, with its file and line.
  writeFileSync(path.join(dir, "raft", "raft.ts"), 'export const term: number = "one";\n');
  const bad = await check();
  expect(bad.ok).toBe(false);
  expect(bad.output).toMatch(/raft\/raft\.ts\(1,14\): error TS2322/);
  // A failed check leaves no stamp: the same error again, not a skip.
  expect((await check()).ok).toBe(false);
  writeFileSync(path.join(dir, "raft", "raft.ts"), "export const term: number = 2;\n");
  expect(await check()).toEqual({ ok: true, output: "", unchanged: false });
  expect((await check()).unchanged).toBe(true);
  // A file added beside a checked one may change what an import resolves to.
  writeFileSync(path.join(dir, "raft", "helper.ts"), "export const h = 1;\n");
  expect(await check()).toEqual({ ok: true, output: "", unchanged: false });
}, 300_000);

test("a stamp is not taken when a file changed while tsc ran, and notices any changed input", () => {
  const f = path.join(dir, "raft", "stamped.ts");
  const settings = path.join(dir, "settings.json");
  mkdirSync(path.dirname(f), { recursive: true });
  const fresh = (): void => {
    writeFileSync(f, "export const a = 1;\n");
    writeFileSync(settings, "{}\n");
  };
  fresh();
  const mtime = Math.max(statSync(f).mtimeMs, statSync(settings).mtimeMs);
  expect(takeStamp("k", [f], [settings], mtime)).toBeUndefined();
  const stamp = takeStamp("k", [f], [settings], mtime + 1)!;
  expect(stampHolds(stamp, "k")).toBe(true);
  expect(stampHolds(stamp, "another key")).toBe(false);
  writeFileSync(f, "export const a = 2;\n");
  expect(stampHolds(stamp, "k"), "a changed file").toBe(false);
  fresh();
  expect(stampHolds(stamp, "k"), "the same content again").toBe(true);
  writeFileSync(settings, '{"type":"module"}\n');
  expect(stampHolds(stamp, "k"), "a changed settings file").toBe(false);
  fresh();
  writeFileSync(path.join(dir, "raft", "new.ts"), "export {};\n");
  expect(stampHolds(stamp, "k"), "a file added in a checked folder").toBe(false);
  rmSync(path.join(dir, "raft", "new.ts"));
  rmSync(f);
  expect(stampHolds(stamp, "k"), "a removed file").toBe(false);
});

test("the watch's in-memory check reports what tsc reports, and sees every save", async () => {
  project("export const term: number = 1;\n");
  writeFileSync(path.join(dir, "raft", "part.test.ts"), 'import { term } from "./raft.js";\nexport const t: number = term;\n');
  const session = await TypecheckSession.open({ buildInfoDir: ".labs-runs", dir, files: ["raft/part.test.ts"] });
  expect(session.check()).toEqual({ ok: true, output: "", unchanged: false });
  writeFileSync(path.join(dir, "raft", "raft.ts"), 'export const term: number = "one";\n');
  const bad = session.check();
  expect(bad.ok).toBe(false);
  expect(bad.output).toMatch(/^raft\/raft\.ts\(1,14\): error TS2322: Type 'string' is not assignable to type 'number'\.$/);
  expect(session.check().ok, "still wrong").toBe(false);
  writeFileSync(path.join(dir, "raft", "raft.ts"), "export const term: number = 2;\n");
  expect(session.check()).toEqual({ ok: true, output: "", unchanged: false });
  // A syntax error: reported alone, as tsc does.
  writeFileSync(path.join(dir, "raft", "part.test.ts"), "export const t: number = (;\n");
  expect(session.check().output).toMatch(/^raft\/part\.test\.ts\(1,27\): error TS1109/);
}, 120_000);

test("student files' errors are listed first", () => {
  const out = "labs-test/x.ts(2,1): error TS1: a\nraft/raft.ts(3,1): error TS2: b";
  const msg = describeTypeErrors(out, ["raft/raft.ts"]);
  expect(msg.indexOf("raft/raft.ts(3,1)")).toBeLessThan(msg.indexOf("labs-test/x.ts(2,1)"));
});
