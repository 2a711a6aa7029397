// Timeline page figures: `tsx labs-test/vis/bench.ts page.html…` opens each page in
// headless Chromium and prints its size, the wall time to its first view (navigation
// until the page says it has drawn), and the time of one full redraw (zoomed out).
import { statSync } from "node:fs";
import path from "node:path";
import { RealClock } from "../../runtime/real-clock.js";
import { launchChromium } from "./browser.js";

const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write("usage: tsx labs-test/vis/bench.ts page.html…\n");
  process.exit(2);
}
const browser = await launchChromium();
try {
  for (const f of files) {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const clock = new RealClock();
    await page.goto(`file://${path.resolve(f)}`, { waitUntil: "load", timeout: 120_000 });
    if ((await page.evaluate("window.__timeline !== undefined && window.__timeline.ready === true")) !== true) {
      throw new Error(`${f}: the page did not draw`);
    }
    const first = clock.now();
    const t0 = clock.now();
    await page.evaluate("window.__timeline.view(-1, 1e12)");
    const redraw = clock.now() - t0;
    const events = (await page.evaluate("window.__timeline.events")) as number;
    process.stdout.write(
      `${path.basename(f)}: ${(statSync(f).size / 1e6).toFixed(1)} MB, ${events} events, first view ${first.toFixed(0)} ms, ` +
        `full redraw ${redraw.toFixed(0)} ms${errors.length ? `, errors: ${errors.join("; ")}` : ""}\n`,
    );
    await page.close();
  }
} finally {
  await browser.close();
}
