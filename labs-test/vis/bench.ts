// Timeline page figures: `tsx labs-test/vis/bench.ts page.html…` opens each page in
// headless Chromium and prints its size, the wall time to its first view (navigation
// until the page says it has drawn), and the time of one full redraw (zoomed out).
// `--synthetic n` draws a page of n synthetic events first (fixtures/big-trace.ts) and
// measures it too. --markdown, --json FILE: the table for BENCHMARKS.md
// (labs-test/tools/bench-report.ts), one row per page.
import { mkdirSync, statSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { RealClock } from "../../runtime/real-clock.js";
import { BenchReport, benchCommand, REPORT_OPTIONS } from "../tools/bench-report.js";
import { launchChromium } from "./browser.js";
import { bigTrace } from "./fixtures/big-trace.js";
import { writeTimeline } from "./write-page.js";

const { values: args, positionals } = parseArgs({
  options: { synthetic: { type: "string" }, ...REPORT_OPTIONS },
  allowPositionals: true,
});
const files = [...positionals];
if (args.synthetic !== undefined) {
  const n = Number(args.synthetic);
  if (!Number.isSafeInteger(n) || n < 1) {
    process.stderr.write(`--synthetic wants a positive number of events, not ${JSON.stringify(args.synthetic)}\n`);
    process.exit(2);
  }
  const dir = path.join(".labs-runs", "bench-vis");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `synthetic-${n}.html`);
  writeTimeline(bigTrace(n), file, { title: `${n} synthetic events` });
  files.unshift(file);
}
if (files.length === 0) {
  process.stderr.write("usage: tsx labs-test/vis/bench.ts [--synthetic n] [--markdown] [--json file] page.html…\n");
  process.exit(2);
}
const report = new BenchReport(
  {
    id: "vis",
    lab: "Timeline pages",
    caption:
      "Timeline pages in headless Chromium: first view is the wall time from navigation until the page has drawn, full redraw one redraw zoomed out.",
    columns: ["page", "events", "MB", "first view ms", "full redraw ms"],
  },
  benchCommand("labs-test/vis/bench.ts"),
);
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
    const mb = (statSync(f).size / 1e6).toFixed(1);
    process.stdout.write(
      `${path.basename(f)}: ${mb} MB, ${events} events, first view ${first.toFixed(0)} ms, ` +
        `full redraw ${redraw.toFixed(0)} ms${errors.length ? `, errors: ${errors.join("; ")}` : ""}\n`,
    );
    // A page that failed is no figure: said above, and in the exit status.
    if (errors.length > 0) process.exitCode = 1;
    else report.row([path.basename(f), events, mb, first.toFixed(0), redraw.toFixed(0)]);
    await page.close();
  }
} finally {
  await browser.close();
}
report.finish(args);
