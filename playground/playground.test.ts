// The playground in a real browser (Debian's Chromium through playwright-core, as the
// timeline page's tests): the built site loaded from disk, the student-style Raft
// (raft/reference/student-raft/) pasted into the editor, 2A and 2B run: every graded test
// passes and each trace hash equals what in-process.ts --hash prints for the same seed on
// the command line; the stub fails with the course's message, and its timeline opens; a
// type error shows its line. No request leaves the page. Screenshots and the built site go
// to .labs-runs/playground-test/ (gitignored); page timings are printed, never asserted.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { findPart, PARTS, studentFilesIn } from "../labs-test/labs.js";
import { launchChromium } from "../labs-test/vis/browser.js";
import { BAND_DOWN } from "../labs-test/vis/timeline-model.js";
import { buildStudentRaftTree } from "../raft/reference/student-raft/scratch.js";
import { handoutTree } from "../labs-test/tools/handout-tree.js";
import { identifiers, solutionOnlyIdentifiers } from "../labs-test/tools/solution-identifiers.js";
import { buildPlayground } from "./build.js";

const OUT = path.resolve(".labs-runs", "playground-test");
const SITE = path.join(OUT, "site");
const SEED = 1;
const RUN_PARTS = ["2A", "2B"];
/**
 * The other parts, in the instructor build (REFERENCE=1: our solution of every lab in the
 * editor): a few tests each, picked to cover what the part adds (persistence and Figure 8,
 * snapshots and a whole-cluster crash, the key/value service over a partition, snapshots
 * of the service and their size, the controller, shards moving, a challenge), not its
 * longest runs. All of them cost about 2 CPU s in-process; the page's part of the cost is
 * printed per part.
 */
const REFERENCE_RUNS: Record<string, string[]> = {
  "2C": ["TestPersist12C", "TestFigure82C"],
  "2D": ["TestSnapshotBasic2D", "TestSnapshotAllCrash2D"],
  "3A": ["TestUnreliableOneKey3A", "TestOnePartition3A"],
  "3B": ["TestSnapshotRPC3B", "TestSnapshotSize3B"],
  "4A": ["TestBasic", "TestMulti"],
  "4B": ["TestStaticShards", "TestJoinLeave"],
  challenge: ["TestChallenge2Partial"],
};
const REFERENCE_SITE = path.join(OUT, "site-reference");

let browser: BrowserContext | undefined;
/** The packages' files bundled into the site (their text is no leak: a student has them anyway). */
let packageInputs: string[] = [];
let scratch = "";
/** The student Raft as raft/raft.ts, and its trace hashes on the command line (test → first 16 hex digits). */
let studentRaft = "";
const cliHashes = new Map<string, string>();
/** Our reference solution's trace hashes on the command line (test → first 16 hex digits), computed while the browser works. */
let referenceHashes: Promise<Map<string, string>> | undefined;

/** in-process.ts --hash's hashes, test name → first 16 hex digits. */
async function inProcessHashes(cwd: string, parts: string[], run?: string): Promise<Map<string, string>> {
  const r = await execa("node", ["--import", "tsx", "labs-test/tools/in-process.ts", ...parts, "--seed", String(SEED), "--hash", ...(run === undefined ? [] : ["--run", run])], { cwd, all: true });
  return new Map([...(r.all ?? "").matchAll(/^(Test\w+)\s+ok\s.*\s([0-9a-f]{16})$/gm)].map((m) => [m[1]!, m[2]!]));
}

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  packageInputs = (await buildPlayground(SITE, false)).inputs.filter((f) => f.includes(`${path.sep}node_modules${path.sep}`));
  scratch = mkdtempSync(path.join(tmpdir(), "playground-test-"));
  const tree = path.join(scratch, "repo");
  buildStudentRaftTree(tree);
  studentRaft = readFileSync(path.join(tree, "raft/raft.ts"), "utf8");
  for (const [k, v] of await inProcessHashes(tree, RUN_PARTS)) cliHashes.set(k, v);
  await buildPlayground(REFERENCE_SITE, true);
  referenceHashes = inProcessHashes(path.resolve("."), Object.keys(REFERENCE_RUNS), `^(${Object.values(REFERENCE_RUNS).flat().join("|")})$`);
  // Awaited by its test; a failure here must not go unhandled meanwhile.
  referenceHashes.catch(() => {});
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  if (scratch !== "") rmSync(scratch, { recursive: true, force: true });
});

interface Opened {
  page: Page;
  /** Console errors, page errors and any request for something not on disk. */
  problems: string[];
}

async function open(site = SITE): Promise<Opened> {
  const page = await browser!.newPage();
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  page.on("request", (r) => {
    if (!r.url().startsWith("file:") && !r.url().startsWith("blob:") && !r.url().startsWith("data:")) problems.push(`fetched ${r.url()}`);
  });
  await page.goto(`file://${path.join(site, "index.html")}`, { waitUntil: "load" });
  return { page, problems };
}

/** Replace the editor's text, as a student pasting a file. */
async function paste(page: Page, text: string): Promise<void> {
  await page.click(".cm-content");
  await page.keyboard.press("Control+A");
  await page.keyboard.insertText(text);
}

/** Bands of a timeline page (its embedded model) that draw a peer down (crashed). */
function downBands(html: string): number {
  const m = /<script type="application\/json" id="timeline-data">([\s\S]*?)<\/script>/.exec(html);
  if (m === null) return 0;
  const model = JSON.parse(m[1]!) as { bands: { kind: number[] } };
  return model.bands.kind.filter((k) => k === BAND_DOWN).length;
}

interface Row {
  name: string;
  seed: string;
  passed: string;
  digest: string;
}

/** Click Run and wait for the run to end; its status line and result rows. */
async function run(page: Page): Promise<{ status: string; rows: Row[]; firstResultMs: number; phases: string }> {
  await page.click("#run");
  await page.waitForFunction(() => ["passed", "failed", "error"].includes(document.body.dataset.state ?? ""), null, { timeout: 600_000 });
  const rows = await page.$$eval("#results tr", (trs) => trs.map((tr) => ({ ...(tr as HTMLElement).dataset }) as unknown as Row));
  const data = await page.evaluate(() => ({ first: document.body.dataset.firstResultMs ?? "0", phases: document.body.dataset.phases ?? "" }));
  return { status: (await page.textContent("#status")) ?? "", rows, firstResultMs: Number(data.first), phases: data.phases };
}

test("the student-style Raft passes 2A and 2B in the page, with the command line's trace hashes", async () => {
  const { page, problems } = await open();
  await paste(page, studentRaft);
  await page.uncheck("#extra");
  for (const id of RUN_PARTS) {
    const part = findPart(id)!;
    await page.selectOption("#part", id);
    await page.fill("#seed", String(SEED));
    const r = await run(page);
    process.stdout.write(`playground ${id}: first result after ${r.firstResultMs} ms wall, phases ${r.phases}\n`);
    await page.screenshot({ path: path.join(OUT, `student-raft-${id}.png`) });
    expect(r.status, (await page.textContent("#output")) ?? "").toMatch(new RegExp(`^${part.tests.length} passed, 0 failed`));
    expect(r.rows.map((x) => x.name)).toEqual(part.tests);
    for (const row of r.rows) {
      expect(row.passed, row.name).toBe("true");
      expect(cliHashes.get(row.name), `${row.name}: no hash from in-process.ts`).toBeDefined();
      expect(row.digest.slice(0, 16), `${row.name} seed ${SEED}: the page's trace hash differs from the command line's`).toBe(cliHashes.get(row.name));
    }
    expect(await page.textContent("#output")).toContain("  ... Passed --");
  }
  expect(problems).toEqual([]);
});

test("the instructor build runs our solution of every other part with the command line's trace hashes", async () => {
  const { page, problems } = await open(REFERENCE_SITE);
  await page.uncheck("#extra");
  await page.fill("#seed", String(SEED));
  for (const [id, tests] of Object.entries(REFERENCE_RUNS)) {
    const part = findPart(id)!;
    await page.selectOption("#part", id);
    // The editor holds every student file of the part, across labs, each our solution, with its helper files.
    expect(await page.$$eval("#tabs button", (bs) => bs.map((b) => b.textContent))).toEqual(studentFilesIn(part, path.resolve(".")));
    await page.fill("#run-filter", `^(${tests.join("|")})$`);
    const r = await run(page);
    process.stdout.write(`playground (reference) ${id}: ${r.status}, phases ${r.phases}\n`);
    expect(r.status, (await page.textContent("#output")) ?? "").toMatch(new RegExp(`^${tests.length} passed, 0 failed`));
    expect(r.rows.map((x) => x.name)).toEqual(tests);
    const cli = await referenceHashes!;
    for (const row of r.rows) {
      expect(cli.get(row.name), `${id} ${row.name}: no hash from in-process.ts`).toBeDefined();
      expect(row.digest.slice(0, 16), `${id} ${row.name} seed ${SEED}: the page's trace hash differs from the command line's`).toBe(cli.get(row.name));
    }
  }
  await page.screenshot({ path: path.join(OUT, "reference-challenge.png") });
  expect(problems).toEqual([]);
});

test("demo mode (instructor build): pause stops virtual time, step advances it, a crash shows on the timeline, and the run replays with its interventions", async () => {
  const { page, problems } = await open(REFERENCE_SITE);
  const data = (): Promise<Record<string, string | undefined>> => page.evaluate(() => ({ ...document.body.dataset }));
  const virtualMs = async (): Promise<number> => Number((await data()).virtualMs ?? "0");
  await page.selectOption("#part", "2A");
  await page.selectOption("#test", "TestReElection2A");
  await page.fill("#seed", String(SEED));
  // A quarter of real time: the run is still young when the pause lands, however loaded the machine.
  await page.selectOption("#demo-speed", "0.25");
  await page.click("#demo");
  // The harness has begun (its peers are listed) and virtual time moves with the wall clock.
  await expect.poll(() => page.locator("#peer option").count(), { timeout: 300_000 }).toBe(3);
  await expect.poll(virtualMs, { timeout: 60_000 }).toBeGreaterThan(200);
  await page.click("#pause");
  await expect.poll(async () => (await data()).demoPaused, { timeout: 30_000 }).toBe("true");
  const paused = await virtualMs();
  await page.waitForTimeout(1500);
  expect(await virtualMs(), "virtual time moved while paused").toBe(paused);
  expect(paused, "a paced run is far from its end").toBeLessThan(4000);
  // Step: 100 virtual ms more, then paused again.
  await page.selectOption("#step-ms", "100");
  await page.click("#step");
  await expect.poll(virtualMs, { timeout: 30_000 }).toBeGreaterThanOrEqual(paused + 100);
  await expect.poll(async () => (await data()).demoPaused, { timeout: 30_000 }).toBe("true");
  const stepped = await virtualMs();
  expect(stepped).toBeLessThan(paused + 200);
  const before = (await page.getAttribute("#timeline", "srcdoc")) ?? "";
  expect(before, "the timeline advances with the run").toContain("TestReElection2A");
  expect(downBands(before)).toBe(0);
  // Crash S1 while paused: the harness's crash1 at this virtual instant, drawn at once.
  await page.selectOption("#peer", "1");
  await page.click('#demo-bar .intervene[data-action="crash"]');
  await expect.poll(async () => JSON.parse((await data()).demoInterventions ?? "[]").length, { timeout: 30_000 }).toBe(1);
  const recorded = JSON.parse((await data()).demoInterventions!) as Array<{ action: string; peer: number; virtualMs: number; tick: number }>;
  expect(recorded[0]).toMatchObject({ action: "crash", peer: 1, virtualMs: stepped });
  expect(await virtualMs(), "an intervention does not move virtual time").toBe(stepped);
  // A step on, the timeline draws S1 down from the crash (a band needs some time to cover).
  await page.click("#step");
  await expect.poll(virtualMs, { timeout: 30_000 }).toBeGreaterThanOrEqual(stepped + 100);
  await expect.poll(async () => (await data()).demoPaused, { timeout: 30_000 }).toBe("true");
  await expect.poll(async () => downBands((await page.getAttribute("#timeline", "srcdoc")) ?? ""), { timeout: 30_000 }).toBeGreaterThan(0);
  await page.screenshot({ path: path.join(OUT, "demo-crash.png") });
  // Restart it, then run to the end as fast as it goes.
  await page.click('#demo-bar .intervene[data-action="restart"]');
  await expect.poll(async () => JSON.parse((await data()).demoInterventions ?? "[]").length, { timeout: 30_000 }).toBe(2);
  await page.selectOption("#demo-speed", "0");
  await page.click("#pause");
  await page.waitForFunction(() => ["passed", "failed", "error"].includes(document.body.dataset.state ?? ""), null, { timeout: 600_000 });
  const live = await page.$$eval("#results tr", (trs) => trs.map((tr) => ({ ...(tr as HTMLElement).dataset })));
  const interventions = (await data()).demoInterventions;
  expect(live).toHaveLength(1);
  expect(live[0]!.digest).toMatch(/^[0-9a-f]{16,}$/);
  expect(await page.textContent("#interventions")).toContain("crash 1 at virtual");
  await page.screenshot({ path: path.join(OUT, "demo-done.png") });
  // Replay: the same seed with the recorded interventions, at full speed: the same run.
  await page.click("#replay");
  await page.waitForFunction(() => document.body.dataset.state === "running", null, { timeout: 30_000 });
  await page.waitForFunction(() => ["passed", "failed", "error"].includes(document.body.dataset.state ?? ""), null, { timeout: 600_000 });
  const replayed = await page.$$eval("#results tr", (trs) => trs.map((tr) => ({ ...(tr as HTMLElement).dataset })));
  expect(replayed[0]!.digest, "the replay with the recorded interventions is not the same run").toBe(live[0]!.digest);
  expect((await data()).demoInterventions).toBe(interventions);
  expect(problems).toEqual([]);
});

test("the handout's stub fails with the course's message, a replay command and a timeline", async () => {
  const { page, problems } = await open();
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await page.selectOption("#part", "2A");
  await page.selectOption("#test", "TestInitialElection2A");
  const r = await run(page);
  expect(r.status).toMatch(/^0 passed, 1 failed/);
  const out = (await page.textContent("#output")) ?? "";
  expect(out).toContain("Test (2A): initial election ...");
  expect(out).toContain(`--- FAIL: TestInitialElection2A (seed ${SEED})`);
  expect(out).toContain("expected one leader, got none");
  const command = `make test-2A SEED=${SEED} RUN=TestInitialElection2A`;
  expect(out).toContain(`replay: ${command}`);
  expect(await page.getAttribute("#results tr.fail button.copy", "data-command")).toBe(command);
  await page.click("#results tr.fail button.open-timeline");
  const frame = page.frameLocator("#timeline");
  await expect.poll(() => frame.locator("#failure").textContent(), { timeout: 30_000 }).toContain("expected one leader");
  await page.screenshot({ path: path.join(OUT, "stub-timeline.png") });
  expect(problems).toEqual([]);
});

test("a type error shows its file and line, and the run refuses to start", async () => {
  const { page, problems } = await open();
  const before = `${studentRaft}\n`;
  const line = before.split("\n").length;
  await paste(page, `${before}const notANumber: number = "two";\n`);
  await expect.poll(() => page.textContent("#problems"), { timeout: 120_000 }).toContain(`raft/raft.ts:${line}:`);
  expect(await page.textContent("#problems")).toContain("not assignable to type 'number'");
  await page.screenshot({ path: path.join(OUT, "type-error.png") });
  // The editor marks it too (the linter shows a worker's list after its short delay).
  await expect.poll(() => page.locator(".cm-lintRange-error").count(), { timeout: 30_000 }).toBeGreaterThan(0);
  const r = await run(page);
  expect(r.status).toContain("fix the type errors first");
  // Demo mode is the instructor build's only.
  expect(await page.isHidden("#demo-bar")).toBe(true);
  expect(problems).toEqual([]);
});

test("the student build holds nothing of the reference solution (the handout's leak check)", () => {
  const root = path.resolve(".");
  const student = new Set(PARTS.flatMap((p) => studentFilesIn(p, root)));
  // Shipped anyway: the handout's framework files, and the packages the site bundles.
  const shipped = [
    ...handoutTree(root)
      .filter((f) => !student.has(f.path) && !f.path.endsWith(".md"))
      .map((f) => f.bytes.toString("utf8")),
    ...packageInputs.map((f) => readFileSync(f, "utf8")),
  ].join("\n");
  const unique = solutionOnlyIdentifiers(root, shipped);
  expect(unique).toEqual(expect.arrayContaining(["untilCommitted", "handleVote"]));
  const leaks: string[] = [];
  for (const f of readdirSync(SITE)) {
    const text = readFileSync(path.join(SITE, f), "utf8");
    if (text.includes(["SOLU", "TION"].join(""))) leaks.push(`${f}: holds the marker word`);
    const mine = identifiers(text);
    const found = unique.filter((w) => mine.has(w));
    if (found.length > 0) leaks.push(`${f}: solution identifiers ${found.slice(0, 8).join(", ")}`);
  }
  expect(leaks).toEqual([]);
});
