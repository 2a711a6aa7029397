// Drives a timeline page in headless Chromium for the browser tests: opens it, collects
// console errors, page errors and any network request, and reaches window.__timeline.
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { RealClock } from "../../runtime/real-clock.js";
import { launchChromium } from "./browser.js";

/** Where browser tests write their pages and screenshots (gitignored). */
export const VIS_TEST_OUT = path.resolve(".labs-runs", "vis-test");

export interface Opened {
  page: Page;
  problems: string[];
  ms: number;
}

/** Open a page file; problems collects console errors, page errors and any non-file request. */
export async function openPage(browser: BrowserContext, file: string): Promise<Opened> {
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
  if ((await page.evaluate("window.__timeline !== undefined && window.__timeline.ready === true")) !== true) {
    throw new Error(`${file}: the page did not say it has drawn`);
  }
  return { page, problems, ms: clock.now() };
}

export interface Hooks {
  lanes: string[];
  labels: string[];
  peerLanes: number;
  events: number;
  rpcs: number;
  drawn(): { rpcs: number; marks: number; bands: number; ops: number; lanes: number };
  canvasSize(): { w: number; h: number; full: number };
  locateRpc(j: number): { x: number; y: number } | null;
  view(a: number, b: number): void;
  focusKey(k: string): number;
  method(j: number): string;
  selected(): { type: string; i: number } | null;
}
/** Run fn on the page's window.__timeline (sent as text: no DOM types here). */
export const hooks = (page: Page) => <T>(fn: (h: Hooks) => T): Promise<T> =>
  page.evaluate(`(${fn.toString()})(window.__timeline)`) as Promise<T>;

/**
 * One headless Chromium for a test file: launched before its tests, closed after them.
 * open(file) opens a page in it (see openPage).
 */
export function chromiumForTests(): { open(file: string): Promise<Opened> } {
  let browser: BrowserContext | undefined;
  beforeAll(async () => {
    mkdirSync(VIS_TEST_OUT, { recursive: true });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return {
    open(file: string): Promise<Opened> {
      if (browser === undefined) throw new Error("Chromium is not running (open() outside a test?)");
      return openPage(browser, file);
    },
  };
}
