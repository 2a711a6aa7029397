import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { ProcessGroup } from "../framework/launch.js";
import { buildDir, projectRoot } from "../framework/paths.js";
import { confinedTo } from "./test-mr-confine.js";

// The graded script's student processes run under the flags of test-mr-confine.ts: a
// process started so (ProcessGroup.node, as test-mr-suite.ts starts the coordinator and
// workers) writes its job folder and reads its inputs, and everything else is refused:
// the expected output's folder, the build, the checkout, the tests' sources, child
// processes and worker threads. (The whole suite, under make test, runs honest
// solutions so.)

const base = mkdtempSync(join(tmpdir(), "labs-confine-"));
afterAll(() => rmSync(base, { recursive: true, force: true }));

test("a confined student process writes only its job folder", async () => {
  const dir = join(base, "mr-tmp");
  const expected = join(base, "expected");
  mkdirSync(dir);
  mkdirSync(expected);
  writeFileSync(join(base, "pg-being_ernest.txt"), "the importance\n");
  const canaries = [join(expected, "mr-out-0"), join(buildDir, "hostile-canary"), join(projectRoot, "hostile-canary"), join(base, "hostile-canary")];
  const script = join(dir, "hostile.mjs");
  writeFileSync(
    script,
    `import { readFileSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { Worker } from "node:worker_threads";
const out = {};
const attempt = (name, f) => { try { f(); out[name] = "allowed"; } catch (e) { out[name] = e.code ?? String(e); } };
attempt("write the job folder", () => writeFileSync("mr-out-0", "x 1\\n"));
attempt("read an input", () => readFileSync("../pg-being_ernest.txt", "utf8"));
${canaries.map((c, i) => `attempt("write outside ${i}", () => writeFileSync(${JSON.stringify(c)}, "forged"));`).join("\n")}
attempt("read the tests", () => readFileSync(${JSON.stringify(join(projectRoot, "mr/main/test-mr-suite.ts"))}, "utf8"));
attempt("start a process", () => { const r = spawnSync("sh", ["-c", "true"]); if (r.error) throw r.error; });
attempt("start a thread", () => new Worker("0", { eval: true }).terminate());
process.stdout.write(JSON.stringify(out));
`,
  );
  const group = new ProcessGroup();
  try {
    const r = await group.node(script, [], { cwd: dir, label: "hostile", nodeFlags: confinedTo({ dir, base, socket: join(base, "sock") }) }).done;
    expect(r.exitCode, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout) as Record<string, string>;
    expect(got).toEqual({
      "write the job folder": "allowed",
      "read an input": "allowed",
      ...Object.fromEntries(canaries.map((_, i) => [`write outside ${i}`, "ERR_ACCESS_DENIED"])),
      "read the tests": "ERR_ACCESS_DENIED",
      "start a process": "ERR_ACCESS_DENIED",
      "start a thread": "ERR_ACCESS_DENIED",
    });
    for (const c of canaries) expect(existsSync(c), c).toBe(false);
  } finally {
    await group.dispose();
  }
});
