// The timeline page in a real browser (headless Chromium): a failing 2C run, a failing
// kvraft run (porcupine's key linked into the timeline) and a 200,000-event trace open
// without console errors or network fetches; lanes match the peers; clicking an RPC shows
// its method and times; filters hide what they should. Screenshots go to
// .labs-runs/vis-test/. First-render times are printed (measured, never asserted).
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { RealClock } from "../../runtime/real-clock.js";
import { launchChromium } from "./browser.js";
import { bigTrace } from "./fixtures/big-trace.js";
import { failing2C, failingKv } from "./fixtures/failing-runs.js";
import { writeTimeline } from "./write-page.js";

const OUT = path.resolve(".labs-runs", "vis-test");
let browser: BrowserContext;

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

interface Opened {
  page: Page;
  problems: string[];
  ms: number;
}

/** Open a page file; problems collects console errors, page errors and any non-file request. */
async function open(file: string): Promise<Opened> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("request", (r) => {
    if (!r.url().startsWith("file:")) problems.push(`fetched ${r.url()}`);
  });
  const clock = new RealClock();
  // The page draws synchronously while it loads (its CSP forbids the eval a polling wait would need).
  await page.goto(`file://${file}`, { waitUntil: "load", timeout: 60_000 });
  expect(await page.evaluate("window.__timeline !== undefined && window.__timeline.ready === true"), "the page says it has drawn").toBe(true);
  return { page, problems, ms: clock.now() };
}

interface Hooks {
  lanes: string[];
  peerLanes: number;
  events: number;
  rpcs: number;
  drawn(): { rpcs: number; marks: number; bands: number; ops: number };
  locateRpc(j: number): { x: number; y: number } | null;
  view(a: number, b: number): void;
  method(j: number): string;
  selected(): { type: string; i: number } | null;
}
const hooks = (page: Page) => <T>(fn: (h: Hooks) => T): Promise<T> =>
  page.evaluate(`(${fn.toString()})(window.__timeline)`) as Promise<T>;

test("a failing 2C run's page: lanes per peer, RPC details on click, filters, no errors", async () => {
  const run = await failing2C(OUT);
  const { page, problems, ms } = await open(run.page);
  const h = hooks(page);
  process.stdout.write(`timeline of a failing 2C run: first view in ${ms.toFixed(0)} ms (wall)\n`);
  expect(await h((t) => t.lanes)).toEqual(["tester", "S0", "S1", "S2", "S3", "S4"]);
  expect(await h((t) => t.peerLanes)).toBe(run.peers);
  expect(await page.textContent("#failure")).toContain("deliberate failure");
  const all = await h((t) => t.drawn());
  expect(all.rpcs).toBeGreaterThan(0);
  expect(all.bands).toBeGreaterThan(0);

  // Zoom to the first RPC with a delivery, click its arrow: the panel names its method and times.
  // (Browser-side code goes in as text: this project's TypeScript has no DOM types.)
  const target = (await page.evaluate(`(() => {
    const t = window.__timeline;
    const data = JSON.parse(document.getElementById("timeline-data").textContent);
    for (let j = 0; j < t.rpcs; j++) {
      if (data.rpc.deliver[j] >= 0) {
        t.view(data.rpc.send[j] - 2, data.rpc.deliver[j] + 2);
        const at = t.locateRpc(j);
        if (at !== null) return { j, at, method: t.method(j), send: data.rpc.send[j] };
      }
    }
    return null;
  })()`)) as { j: number; at: { x: number; y: number }; method: string; send: number } | null;
  expect(target).not.toBeNull();
  await page.mouse.click(target!.at.x, target!.at.y);
  const details = (await page.textContent("#details")) ?? "";
  expect(details).toContain(`RPC ${target!.method}`);
  expect(details).toContain(`sent: ${(target!.send / 1000).toFixed(3)} s`);
  expect(details).toMatch(/delivered: \d+\.\d{3} s/);
  await page.screenshot({ path: path.join(OUT, "failing-2C-rpc-selected.png") });

  // Unticking a method hides its arrows; unticking a peer hides its lane.
  await h((t) => t.view(0, 1e9));
  await page.click("text=RPC methods");
  const before = await h((t) => t.drawn().rpcs);
  const boxes = await page.$$("#f-methods input");
  for (const b of boxes) await b.click();
  const afterFrame = (await page.evaluate("new Promise((r) => requestAnimationFrame(() => r(window.__timeline.drawn().rpcs)))")) as number;
  expect(afterFrame).toBe(0);
  expect(before).toBeGreaterThan(0);
  await page.click("text=peers");
  await page.click("#f-lane-S4");
  const canvasHeight = (): Promise<number> => page.evaluate('document.getElementById("canvas").clientHeight') as Promise<number>;
  const height = await canvasHeight();
  await page.click("#f-lane-S4");
  expect(await canvasHeight()).toBeGreaterThan(height);

  // The keyboard steps to the next event.
  await page.focus("#canvas");
  await page.keyboard.press("0");
  await page.keyboard.press("ArrowRight");
  const first = await h((t) => JSON.stringify(t.selected()));
  expect(first).not.toBe("null");
  await page.keyboard.press("ArrowRight");
  const second = await h((t) => JSON.stringify(t.selected()));
  expect(second).not.toBe(first);
  await page.keyboard.press("ArrowLeft");
  expect(await h((t) => JSON.stringify(t.selected()))).toBe(first);
  expect(((await page.textContent("#details")) ?? "").length).toBeGreaterThan(0);
  await page.screenshot({ path: path.join(OUT, "failing-2C.png"), fullPage: true });
  expect(problems).toEqual([]);
});

test("a failing kvraft run's page: clerk lanes, and porcupine's bad key links to its ops", async () => {
  const run = await failingKv(OUT);
  const { page, problems } = await open(run.page);
  const h = hooks(page);
  const lanes = await h((t) => t.lanes);
  expect(lanes).toEqual(["tester", "S0", "S1", "S2", "ck0", "ck1"]);
  expect(await h((t) => t.peerLanes)).toBe(3);
  expect(await h((t) => t.drawn().ops)).toBe(16);
  await page.click("a.porcupine-key");
  const details = (await page.textContent("#details")) ?? "";
  expect(details).toMatch(/op on ck\d: \w+\(k0/);
  expect(details).toContain("key not linearizable (porcupine)");
  await page.screenshot({ path: path.join(OUT, "failing-kvraft.png"), fullPage: true });
  expect(problems).toEqual([]);
});

test("a 200,000-event trace opens: lanes drawn, no errors", async () => {
  const file = path.join(OUT, "big-200k.html");
  const bytes = writeTimeline(bigTrace(200_000), file, { title: "200,000 synthetic events" });
  const { page, problems, ms } = await open(file);
  const h = hooks(page);
  process.stdout.write(`200,000-event page: ${(bytes / 1e6).toFixed(1)} MB, first view in ${ms.toFixed(0)} ms (wall)\n`);
  expect(await h((t) => t.events)).toBe(200_000);
  expect(await h((t) => t.lanes.length)).toBe(6);
  const d = await h((t) => t.drawn());
  expect(d.rpcs).toBeGreaterThan(1000);
  expect(d.bands).toBeGreaterThan(0);
  await page.mouse.move(600, 200);
  await page.mouse.wheel(0, -500);
  await page.keyboard.press("ArrowRight");
  await page.screenshot({ path: path.join(OUT, "big-200k.png") });
  expect(problems).toEqual([]);
});
