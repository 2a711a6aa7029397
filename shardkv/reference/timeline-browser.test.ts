// The timeline page of a failing shardkv run in a real browser (headless Chromium). The
// course's shardkv Clerk makes a new ClientEnd per RPC, and four Raft groups (the
// controller and three shardkv groups) all call their peers 0, 1 and 2: drawn naively, a
// failing TestConcurrent3 had 15,175 lanes, a canvas 455,764 px tall (blank in Chromium),
// and "leader t1" on two groups' S0 at once. Here a bug is planted in a scratch copy of our
// shardkv (an installed shard loses its first key) and TestConcurrent3 runs there through
// the runner, as a student would: its page must draw with one lane per server host labelled
// with its group, one per clerk, a bounded lane count and a one-view canvas, and show the
// failing key's operations. The same run has DEBUG=ctrler on: the controller's lines carry
// their host (group and peer), though the solution calls debug(topic, me, …) as ever.
// A reference test: it needs our shardkv (and Raft) to get that far.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, expect, test } from "vitest";
import { chromiumForTests, hooks, VIS_TEST_OUT as OUT } from "../../labs-test/vis/page-driver.js";
import { copyRepo } from "../../raft/reference/student-raft/scratch.js";

const { open } = chromiumForTests();

/** The planted bug: a group that receives a shard installs it without its first key. */
const PLANT = {
  from: "kv: fromFlat<string, string>(kv), lastSeq: fromFlat<number, number>(lastSeq), src, since: 0 }",
  to: "kv: fromFlat<string, string>(kv.slice(2)), lastSeq: fromFlat<number, number>(lastSeq), src, since: 0 }",
};

const dir = mkdtempSync(path.join(tmpdir(), "shardkv-page-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("a failing shardkv run's page: lanes per host and group, one per clerk, the failing key's ops", { timeout: 300_000 }, async () => {
  copyRepo(dir);
  const server = path.join(dir, "shardkv/server.ts");
  const src = readFileSync(server, "utf8");
  expect(src.split(PLANT.from).length - 1, "the plant's text occurs once in shardkv/server.ts").toBe(1);
  writeFileSync(server, src.replace(PLANT.from, PLANT.to));
  const r = await execa("node_modules/.bin/tsx", ["labs-test/tools/run.ts", "4B"], {
    cwd: dir,
    env: { SEED: "5", RUN: "^TestConcurrent3$", VIS: "fail", DEBUG: "ctrler", FORCE_COLOR: "0" },
    reject: false,
    all: true,
  });
  const out = r.all ?? "";
  expect(out).toMatch(/--- FAIL: TestConcurrent3/);
  const key = /Get\(([^)]*)\): expected/.exec(out)?.[1];
  expect(key, "the failure names the key whose value is wrong").toBeDefined();
  const page = /timeline: (\S+\.html)/.exec(out)?.[1];
  expect(page, "the failure prints its timeline page").toBeDefined();

  // DEBUG columns: the controller's peers print as their host, each in a column of its own.
  const ctrlerLines = r.stderr.split("\n").filter((l) => / CTRLER /.test(l));
  expect(ctrlerLines.length).toBeGreaterThan(0);
  for (let i = 0; i < 3; i++) {
    const mine = ctrlerLines.filter((l) => l.includes(`ctrler:S${i} `));
    expect(mine.length, `ctrler:S${i} has lines`).toBeGreaterThan(0);
    // Column i: 28 characters per column after "time TOPIC ".
    for (const l of mine) expect(l.indexOf(`ctrler:S${i} `) - l.indexOf("CTRLER") - 8).toBe(i * 28);
  }

  const { page: p, problems } = await open(page!);
  const h = hooks(p);
  const lanes = await h((t) => t.lanes);
  const labels = await h((t) => t.labels);
  expect(lanes.length).toBeLessThanOrEqual(30);
  for (const g of ["ctrler", "gid 100", "gid 101", "gid 102"]) {
    for (let i = 0; i < 3; i++) expect(labels).toContain(`${g} · S${i}`);
  }
  expect(labels.filter((l) => /^ck\d+$/.test(l)).length).toBeGreaterThan(1);
  expect(labels.filter((l) => /^S\d+$/.test(l)), "no peer lane merges groups").toEqual([]);
  expect(await h((t) => t.peerLanes)).toBe(12);
  const size = await h((t) => t.canvasSize());
  expect(size.h).toBeLessThanOrEqual(1000);
  expect((await h((t) => t.drawn())).bands).toBeGreaterThan(0);

  // The failing key's operations are there, on clerk lanes, and drawn once focused.
  const n = await h(new Function("t", `return t.focusKey(${JSON.stringify(key)})`) as (t: unknown) => number);
  expect(n).toBeGreaterThan(0);
  expect((await h((t) => t.drawn())).ops).toBeGreaterThan(0);
  expect((await p.textContent("#details")) ?? "").toMatch(new RegExp(`op on ck\\d+: \\w+\\(${key}`));
  await p.screenshot({ path: path.join(OUT, "failing-shardkv.png") });
  expect(problems).toEqual([]);
});
