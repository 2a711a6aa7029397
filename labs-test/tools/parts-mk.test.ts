// The Makefile's part targets come from the manifest (parts-mk.ts writes the include file
// the Makefile remakes): a part added to the manifest gets its targets, and make help
// names it, with no edit to the Makefile.
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, expect, test } from "vitest";
import { HUNT_PARTS } from "../hunt/parts.js";
import { PARTS } from "../labs.js";
import { partsMakefile, PartsMkError } from "./parts-mk.js";

const dir = mkdtempSync(path.join(tmpdir(), "parts-mk-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(rel: string, text: string, ageS = 0): void {
  const f = path.join(dir, rel);
  mkdirSync(path.dirname(f), { recursive: true });
  writeFileSync(f, text);
  // Seconds since 1970: a fixed time, older by ageS.
  const t = 1_767_225_600 - ageS;
  utimesSync(f, t, t);
}

const make = (...args: string[]): Promise<{ stdout: string; stderr: string }> => execa("make", args, { cwd: dir, reject: false, env: { SEED: "", RUN: "", COUNT: "" } });

test("the include file lists every part, the simulated ones and the searchable ones", () => {
  const text = partsMakefile(PARTS, HUNT_PARTS.map((h) => h.id));
  const ids = PARTS.map((p) => p.id);
  expect(text).toContain(`PARTS := ${ids.join(" ")}\n`);
  expect(text).toContain(`SIMULATED_PARTS := ${ids.filter((id) => id !== "mr").join(" ")}\n`);
  expect(text).toContain("HUNT_PARTS := 2A 2B 2C 2D 3A 3B 4A 4B\n");
  // A searchable id the manifest does not have is left out; an id make cannot carry is refused.
  expect(partsMakefile([{ id: "2A" }], ["2A", "9Z"])).toContain("HUNT_PARTS := 2A\n");
  expect(() => partsMakefile([{ id: "a b" }], [])).toThrow(PartsMkError);
});

test("a part added to the manifest gets test-, watch-, sweep- and hunt- targets, and make help names it", async () => {
  // The project's Makefile over stand-in inputs, older than the include file (no remake)
  // and an installed stamp newer than the lockfile (no npm ci).
  copyFileSync("Makefile", path.join(dir, "Makefile"));
  for (const f of ["labs-test/labs.ts", "labs-test/hunt/parts.ts", "labs-test/tools/parts-mk.ts", "package-lock.json"]) write(f, "", 100);
  write("node_modules/.installed", "", 50);
  const added = [...PARTS, { id: "5A" }, { id: "5X", realProcesses: true }];
  write(".labs-runs/parts.mk", partsMakefile(added, [...HUNT_PARTS.map((h) => h.id), "5A"]), 10);

  expect((await make("-n", "test-5A")).stdout).toMatch(/runner\/run\.mjs 5A$/m);
  expect((await make("-n", "watch-5A")).stdout).toMatch(/runner\/run\.mjs --watch 5A$/m);
  expect((await make("-n", "sweep-5A", "SEEDS=1..2")).stdout).toContain("sweep-cli.ts 5A");
  expect((await make("-n", "hunt-5A")).stdout).toContain("hunt-cli.ts 5A");
  // A real-process part: make test-5X, but no watch or sweep.
  expect((await make("-n", "test-5X")).stdout).toMatch(/runner\/run\.mjs 5X$/m);
  expect((await make("-n", "sweep-5X")).stderr).toContain("No rule to make target 'sweep-5X'");
  expect((await make("-n", "watch-5X")).stderr).toContain("No rule to make target 'watch-5X'");
  const help = (await make("help")).stdout;
  expect(help).toMatch(/make test-XX .*\b5A 5X$/m);
  expect(help).toMatch(/make watch-XX .*\b5A$/m);
  // Every existing target is still there.
  for (const p of PARTS) expect((await make("-n", `test-${p.id}`)).stdout).toMatch(new RegExp(`runner/run\\.mjs ${p.id}$`, "m"));
});

test("a change to the manifest remakes the include file before make reads the targets", async () => {
  // The generator here is a stand-in that writes a manifest with one more part.
  write(
    "node_modules/.bin/tsx",
    '#!/bin/sh\n# stand-in for tsx labs-test/tools/parts-mk.ts --out FILE\nprintf "PARTS := 2A 6A\\nSIMULATED_PARTS := 2A 6A\\nHUNT_PARTS := 2A\\n" > "$3"\n',
    50,
  );
  chmodSync(path.join(dir, "node_modules/.bin/tsx"), 0o755);
  write("labs-test/labs.ts", "// a part added\n", 0);
  expect((await make("-n", "test-6A")).stdout).toMatch(/runner\/run\.mjs 6A$/m);
  expect((await make("help")).stdout).toMatch(/make test-XX .*2A 6A$/m);
});

test("before the packages are installed, a part's target installs them and runs again; make -n and help install nothing", async () => {
  const fresh = mkdtempSync(path.join(tmpdir(), "parts-mk-fresh-"));
  try {
    copyFileSync("Makefile", path.join(fresh, "Makefile"));
    mkdirSync(path.join(fresh, "labs-test/hunt"), { recursive: true });
    mkdirSync(path.join(fresh, "labs-test/tools"), { recursive: true });
    for (const f of ["labs-test/labs.ts", "labs-test/hunt/parts.ts", "labs-test/tools/parts-mk.ts", "package-lock.json"]) writeFileSync(path.join(fresh, f), "");
    const run = (...args: string[]) => execa("make", args, { cwd: fresh, reject: false, env: { SEED: "", RUN: "", COUNT: "" } });
    const dry = await run("-n", "test-2A");
    expect(dry.stdout).toContain("npm ci");
    // make runs a recursive make even under -n: once, and it stops there (no loop).
    expect(dry.stdout).toMatch(/make --no-print-directory test-2A LABS_PARTS_AGAIN=1/);
    expect(dry.stderr).toContain("No rule to make target 'test-2A'");
    expect((await run("help")).stdout).toContain("(make setup first to list them)");
    // Nothing was installed (make -n and help ran no npm).
    expect(existsSync(path.join(fresh, "node_modules"))).toBe(false);
  } finally {
    rmSync(fresh, { recursive: true, force: true });
  }
});

test("make never reinstalls through a linked node_modules: the linked tree keeps its packages", async () => {
  // A scratch copy or handout beside a checkout links the checkout's node_modules; npm ci
  // there would empty the checkout's packages. The stand-in tree's lockfile is newer than
  // the linked stamp, so make wants to reinstall.
  const tree = mkdtempSync(path.join(tmpdir(), "linked-modules-"));
  try {
    const packages = path.join(tree, "packages");
    mkdirSync(path.join(packages, ".bin"), { recursive: true });
    writeFileSync(path.join(packages, ".bin", "tsx"), "#!/bin/sh\n");
    chmodSync(path.join(packages, ".bin", "tsx"), 0o755);
    writeFileSync(path.join(packages, "sentinel"), "kept");
    const copy = path.join(tree, "copy");
    mkdirSync(copy);
    copyFileSync("Makefile", path.join(copy, "Makefile"));
    writeFileSync(path.join(copy, "package-lock.json"), "{}");
    symlinkSync(packages, path.join(copy, "node_modules"), "dir");
    const installed = await execa("make", ["node_modules/.installed"], { cwd: copy, reject: false });
    expect(installed.exitCode).toBe(0);
    expect(installed.stdout).toContain(`node_modules is a link to ${packages}: using the packages there as they are`);
    expect(existsSync(path.join(packages, "sentinel"))).toBe(true);
    // A link to a tree with nothing installed: a clear error, and nothing removed.
    const empty = path.join(tree, "empty");
    mkdirSync(empty);
    writeFileSync(path.join(empty, "sentinel"), "kept");
    rmSync(path.join(copy, "node_modules"));
    symlinkSync(empty, path.join(copy, "node_modules"), "dir");
    const refused = await execa("make", ["node_modules/.installed"], { cwd: copy, reject: false });
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stdout).toContain(`node_modules is a link to ${empty}, which holds no installed packages`);
    expect(existsSync(path.join(empty, "sentinel"))).toBe(true);
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
});
