// The playground's figures: the student build's size (raw and gzipped), the time to the
// first 2A result in the page, and a part's cost in the page against in-process.ts on
// the command line (the student-style Raft, one seed, graded tests only; and the marginal
// cost of a seed, from COUNT=1 and COUNT=4, which leaves every start-up out). The page's
// CPU is Chromium's: every process of this run's profile, read from /proc before and after.
//   node --import tsx playground/bench.ts [--part 2B] [--seed 1] [--markdown] [--json FILE]
// (`make benchmarks ONLY=playground` writes BENCHMARKS.md's table.)
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { Command } from "commander";
import { execa } from "execa";
import { BenchReport, benchCommand } from "../labs-test/tools/bench-report.js";
import { launchChromium } from "../labs-test/vis/browser.js";
import { buildStudentRaftTree } from "../raft/reference/student-raft/scratch.js";
import { buildPlayground } from "./build.js";

const o = new Command("playground-bench")
  .option("--part <id>", "the part to time", "2B")
  .option("--seed <n>", "seed", "1")
  .option("--json <file>", "merge the table into this file (docs/benchmarks/playground.json)")
  .option("--markdown", "print the table as Markdown")
  .parse()
  .opts<{ part: string; seed: string; json?: string; markdown?: boolean }>();
const report = new BenchReport(
  {
    id: "playground",
    lab: "The playground: the labs in a browser tab",
    caption:
      "The student build's size, and the student-style Raft's graded tests in headless Chromium against in-process.ts on the command line (the same seed, the same trace hashes). " +
      "Page CPU is every Chromium process's; page wall times suffer most from the machine's load. A whole run includes its checks and loading the tests; the marginal seed (COUNT=1 against COUNT=4) leaves every start-up out.",
    columns: ["measure", "page", "in-process.ts", "page / in-process"],
  },
  benchCommand("playground/bench.ts"),
);
const TICKS = 100;
/** Seeds of the second timing of the part: the marginal cost of a seed leaves out every start-up. */
const COUNT = 4;

/** CPU seconds of every Chromium process started with this profile dir (utime+stime). */
function chromiumCpuS(profile: string): number {
  let ticks = 0;
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(profile)) continue;
      const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // gone meanwhile
    }
  }
  return ticks / TICKS;
}

const site = mkdtempSync(path.join(tmpdir(), "playground-bench-"));
const { sizes } = await buildPlayground(path.join(site, "site"), false);
const sizeCells: string[] = [];
for (const [name, bytes] of sizes) {
  const gz = gzipSync(readFileSync(path.join(site, "site", name))).length;
  process.stdout.write(`${name.padEnd(18)} ${(bytes / 1e6).toFixed(2)} MB, gzip ${(gz / 1e6).toFixed(2)} MB\n`);
  if (bytes > 10_000) sizeCells.push(`${name} ${(bytes / 1e6).toFixed(2)} MB (gzip ${(gz / 1e6).toFixed(2)})`);
}
report.row(["student build (make playground)", sizeCells.join(", "), "", ""]);
const tree = path.join(site, "repo");
buildStudentRaftTree(tree);
const raft = readFileSync(path.join(tree, "raft/raft.ts"), "utf8");

/** in-process.ts's CPU seconds for the part, count seeds from --seed. */
async function inProcessCpuS(count: number): Promise<number> {
  const cli = await execa("node", ["--import", "tsx", "labs-test/tools/in-process.ts", o.part, "--seed", o.seed, "--count", String(count)], { cwd: tree, all: true });
  const total = /total wall ([\d.]+) s, CPU ([\d.]+) s/.exec(cli.all ?? "");
  if (total === null) throw new Error(`in-process.ts printed no total:\n${cli.all}`);
  process.stdout.write(`in-process.ts ${o.part} seed ${o.seed} count ${count}: ${total[0]}\n`);
  return Number(total[2]);
}
const cli1 = await inProcessCpuS(1);
const cliN = await inProcessCpuS(COUNT);

const ctx = await launchChromium();
const profile = (ctx as unknown as { _options?: { userDataDir?: string } })._options?.userDataDir ?? "labs-vis-chromium-";
const page = await ctx.newPage();
const timed = async (part: string, count = 1, warm = true): Promise<{ first: number; wall: number; phases: string; cpuS: number; status: string }> => {
  await page.selectOption("#part", part);
  await page.fill("#seed", o.seed);
  await page.fill("#count", String(count));
  // The run takes the spare worker the page starts ahead: time it from there (a run's own
  // CPU), and let the page's type check of the part's files finish first.
  if (warm) {
    await page.waitForFunction(() => document.body.dataset.spareReady === "true", null, { timeout: 600_000 });
    await page.waitForTimeout(3000);
  }
  const cpu0 = chromiumCpuS(profile);
  await page.click("#run");
  await page.waitForFunction(() => ["passed", "failed", "error"].includes(document.body.dataset.state ?? ""), null, { timeout: 600_000 });
  const d = await page.evaluate(() => ({ ...document.body.dataset }));
  return { first: Number(d.firstResultMs), wall: Number(d.runMs), phases: d.phases ?? "", cpuS: chromiumCpuS(profile) - cpu0, status: (await page.textContent("#status")) ?? "" };
};
await page.goto(`file://${path.join(site, "site", "index.html")}`);
await page.click(".cm-content");
await page.keyboard.press("Control+A");
await page.keyboard.insertText(raft);
await page.uncheck("#extra");
const first = await timed("2A", 1, false);
process.stdout.write(`page 2A (fresh page, Run clicked right after the paste): first result ${first.first} ms wall, whole part ${first.wall} ms wall, Chromium CPU ${first.cpuS.toFixed(1)} s, phases ${first.phases}: ${first.status}\n`);
const part = await timed(o.part);
process.stdout.write(`page ${o.part}: first result ${part.first} ms wall, whole part ${part.wall} ms wall, Chromium CPU ${part.cpuS.toFixed(1)} s, phases ${part.phases}: ${part.status}\n`);
const many = await timed(o.part, COUNT);
process.stdout.write(`page ${o.part} COUNT=${COUNT}: ${many.wall} ms wall, Chromium CPU ${many.cpuS.toFixed(1)} s: ${many.status}\n`);
const pageSeed = (many.cpuS - part.cpuS) / (COUNT - 1);
const cliSeed = (cliN - cli1) / (COUNT - 1);
process.stdout.write(
  `a seed of ${o.part} (marginal, from COUNT=1 and COUNT=${COUNT}): page ${pageSeed.toFixed(2)} CPU s, in-process ${cliSeed.toFixed(2)} CPU s: ${(pageSeed / cliSeed).toFixed(1)}x; ` +
    `a whole run of one seed: page ${part.cpuS.toFixed(1)} CPU s, in-process ${cli1.toFixed(1)} CPU s: ${(part.cpuS / cli1).toFixed(1)}x\n`,
);
const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
report.row([`first 2A result, fresh page, Run right after the paste`, `${secs(first.first)} wall (of which the type check ${phase(first.phases, "checkMs")}, loading the tests ${phase(first.phases, "loadMs")}), ${first.cpuS.toFixed(1)} CPU s for the part`, "", ""]);
report.row([`${o.part}, one seed, the whole run`, `${part.cpuS.toFixed(1)} CPU s, ${secs(part.wall)} wall`, `${cli1.toFixed(1)} CPU s`, `${(part.cpuS / cli1).toFixed(1)}x`]);
report.row([`${o.part}, a seed more (COUNT=${COUNT} against 1)`, `${pageSeed.toFixed(2)} CPU s`, `${cliSeed.toFixed(2)} CPU s`, `${(pageSeed / cliSeed).toFixed(1)}x`]);
report.finish({ json: o.json, markdown: o.markdown });
await ctx.close();
rmSync(site, { recursive: true, force: true });

/** One phase (wall ms) of a run's phases JSON, as seconds. */
function phase(json: string, name: string): string {
  try {
    const v = (JSON.parse(json) as Record<string, number>)[name];
    return v === undefined ? "?" : secs(v);
  } catch {
    return "?";
  }
}
