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
import { buildStudentRaftTree } from "../raft/reference/student-raft/scratch.js";
import { handoutTree } from "../labs-test/tools/handout-tree.js";
import { identifiers, solutionOnlyIdentifiers } from "../labs-test/tools/solution-identifiers.js";
import { buildPlayground } from "./build.js";

const OUT = path.resolve(".labs-runs", "playground-test");
const SITE = path.join(OUT, "site");
const SEED = 1;
const RUN_PARTS = ["2A", "2B"];

let browser: BrowserContext | undefined;
/** The packages' files bundled into the site (their text is no leak: a student has them anyway). */
let packageInputs: string[] = [];
let scratch = "";
/** The student Raft as raft/raft.ts, and its trace hashes on the command line (test → first 16 hex digits). */
let studentRaft = "";
const cliHashes = new Map<string, string>();

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  packageInputs = (await buildPlayground(SITE, false)).inputs.filter((f) => f.includes(`${path.sep}node_modules${path.sep}`));
  scratch = mkdtempSync(path.join(tmpdir(), "playground-test-"));
  const tree = path.join(scratch, "repo");
  buildStudentRaftTree(tree);
  studentRaft = readFileSync(path.join(tree, "raft/raft.ts"), "utf8");
  const r = await execa("node", ["--import", "tsx", "labs-test/tools/in-process.ts", ...RUN_PARTS, "--seed", String(SEED), "--hash"], { cwd: tree, all: true });
  for (const m of (r.all ?? "").matchAll(/^(Test\w+)\s+ok\s.*\s([0-9a-f]{16})$/gm)) cliHashes.set(m[1]!, m[2]!);
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

async function open(): Promise<Opened> {
  const page = await browser!.newPage();
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  page.on("request", (r) => {
    if (!r.url().startsWith("file:") && !r.url().startsWith("blob:") && !r.url().startsWith("data:")) problems.push(`fetched ${r.url()}`);
  });
  await page.goto(`file://${path.join(SITE, "index.html")}`, { waitUntil: "load" });
  return { page, problems };
}

/** Replace the editor's text, as a student pasting a file. */
async function paste(page: Page, text: string): Promise<void> {
  await page.click(".cm-content");
  await page.keyboard.press("Control+A");
  await page.keyboard.insertText(text);
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
