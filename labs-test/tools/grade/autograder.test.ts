import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import AdmZip from "adm-zip";
import { execa } from "execa";
import { afterAll, expect, test } from "vitest";
import { findPart, PARTS, studentFilesIn } from "../../labs.js";
import { buildAutograderZip } from "./autograder-zip.js";
import { gradescopeResultsSchema } from "./gradescope.js";

// The autograder zip as Gradescope uses it: unpacked with unzip into a folder laid out like
// /autograder, ./setup.sh run there, then ./run_autograder, which grades the submission and
// leaves results/results.json. The scripts run directly (their mode in the zip makes them
// executable), and the grade runs on the packages setup.sh installs and nothing else.

const scratch = mkdtempSync(path.join(tmpdir(), "labs-autograder-test-"));
chmodSync(scratch, 0o755); // the grader's workers may run as a uid of their own, which must reach it
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

test("the zip has setup.sh and run_autograder at its root, executable, the source and lockfile, and no student file", () => {
  const file = buildAutograderZip(process.cwd(), scratch, ["2A"], 1);
  const entries = new AdmZip(file).getEntries();
  const names = entries.map((e) => e.entryName);
  expect(names).toEqual(expect.arrayContaining(["setup.sh", "run_autograder", "package.json", "package-lock.json", "raft/raft.test.ts", "labs-test/tools/grade/grade-cli.ts"]));
  for (const f of PARTS.flatMap((p) => p.studentFiles)) expect(names).not.toContain(f);
  expect(names.some((n) => n.startsWith("node_modules/"))).toBe(false);
  for (const script of ["setup.sh", "run_autograder"]) {
    const e = entries.find((x) => x.entryName === script)!;
    expect(((e.attr >>> 16) & 0o777).toString(8), script).toBe("755");
  }
});

/**
 * node_modules as `npm ci --omit=dev` leaves it: a link to each installed package the
 * lockfile does not mark as a devDependency (nested packages come inside their parent).
 */
function productionModules(dir: string): void {
  const lock = JSON.parse(readFileSync("package-lock.json", "utf8")) as { packages: Record<string, { dev?: boolean }> };
  mkdirSync(dir);
  for (const [key, meta] of Object.entries(lock.packages)) {
    const name = key.replace(/^node_modules\//, "");
    if (key === "" || meta.dev === true || name.includes("node_modules/")) continue;
    let installed: boolean;
    try {
      installed = statSync(path.join("node_modules", name)).isDirectory();
    } catch {
      installed = false; // an optional package for another platform
    }
    if (!installed) continue;
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    symlinkSync(path.resolve("node_modules", name), path.join(dir, name), "dir");
  }
}

test("./setup.sh installs only the packages grading needs; ./run_autograder grades /autograder/submission into results/results.json with them", async () => {
  const root = path.join(scratch, "autograder");
  const source = path.join(root, "source");
  mkdirSync(path.join(root, "submission/raft"), { recursive: true });
  mkdirSync(path.join(root, "results"), { recursive: true });
  mkdirSync(source);
  // The reference as a student would hand it in: raft.ts and the helper files beside it.
  for (const f of studentFilesIn(findPart("2A")!, ".")) writeFileSync(path.join(root, "submission", f), readFileSync(f));
  const zip = buildAutograderZip(process.cwd(), scratch, ["2A"], 1);
  const unzip = await execa("unzip", ["-q", zip, "-d", source], { reject: false });
  expect(unzip.exitCode, `unzip: ${unzip.stderr}`).toBe(0);

  // setup.sh's npm stands in for the registry: it records what it was asked for and puts
  // in place what that would install.
  const prod = path.join(scratch, "production-modules");
  productionModules(prod);
  const bin = path.join(scratch, "bin");
  mkdirSync(bin);
  const asked = path.join(scratch, "npm-args");
  writeFileSync(path.join(bin, "npm"), `#!/usr/bin/env bash\necho "$@" > ${JSON.stringify(asked)}\nln -s ${JSON.stringify(prod)} node_modules\n`, { mode: 0o755 });
  const setup = await execa("./setup.sh", [], { cwd: source, env: { PATH: `${bin}:${process.env.PATH ?? ""}` }, reject: false });
  expect(setup.exitCode, setup.stderr).toBe(0);
  expect(readFileSync(asked, "utf8").trim().split(" ")).toEqual(["ci", "--omit=dev", "--no-audit", "--no-fund"]);

  const r = await execa("./run_autograder", ["--no-typecheck", "--seed", "77", "--workers", "2"], {
    cwd: source,
    env: { AUTOGRADER_ROOT: root },
    reject: false,
  });
  expect(r.exitCode, r.stderr).toBe(0);
  const results = gradescopeResultsSchema.parse(JSON.parse(readFileSync(path.join(root, "results/results.json"), "utf8")));
  expect(results.score, results.output).toBe(15);
  expect(results.extra_data).toMatchObject({ seeds: [77] });
}, 240_000);
