// The playground's figures: the student build's size (raw and gzipped), the time to the
// first 2A result in the page, and a part's cost in the page against in-process.ts on
// the command line (the student-style Raft, one seed, graded tests only). The page's CPU
// is Chromium's: every process of this run's profile, read from /proc before and after.
//   node --import tsx playground/bench.ts [--part 2B] [--seed 1]
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { Command } from "commander";
import { execa } from "execa";
import { launchChromium } from "../labs-test/vis/browser.js";
import { buildStudentRaftTree } from "../raft/reference/student-raft/scratch.js";
import { buildPlayground } from "./build.js";

const o = new Command("playground-bench").option("--part <id>", "the part to time", "2B").option("--seed <n>", "seed", "1").parse().opts<{ part: string; seed: string }>();
const TICKS = 100;

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
for (const [name, bytes] of sizes) {
  const gz = gzipSync(readFileSync(path.join(site, "site", name))).length;
  process.stdout.write(`${name.padEnd(18)} ${(bytes / 1e6).toFixed(2)} MB, gzip ${(gz / 1e6).toFixed(2)} MB\n`);
}
const tree = path.join(site, "repo");
buildStudentRaftTree(tree);
const raft = readFileSync(path.join(tree, "raft/raft.ts"), "utf8");

const cli = await execa("node", ["--import", "tsx", "labs-test/tools/in-process.ts", o.part, "--seed", o.seed], { cwd: tree, all: true });
const total = /total wall ([\d.]+) s, CPU ([\d.]+) s/.exec(cli.all ?? "");
process.stdout.write(`in-process.ts ${o.part} seed ${o.seed}: ${total?.[0] ?? cli.all}\n`);

const ctx = await launchChromium();
const profile = (ctx as unknown as { _options?: { userDataDir?: string } })._options?.userDataDir ?? "labs-vis-chromium-";
const page = await ctx.newPage();
const timed = async (part: string): Promise<{ first: number; wall: number; phases: string; cpuS: number; status: string }> => {
  await page.selectOption("#part", part);
  await page.fill("#seed", o.seed);
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
const first = await timed("2A");
process.stdout.write(`page 2A (fresh page, type check in the run): first result ${first.first} ms wall, whole part ${first.wall} ms wall, Chromium CPU ${first.cpuS.toFixed(1)} s, phases ${first.phases}: ${first.status}\n`);
const part = await timed(o.part);
process.stdout.write(`page ${o.part}: ${part.wall} ms wall, Chromium CPU ${part.cpuS.toFixed(1)} s, phases ${part.phases}: ${part.status}\n`);
await ctx.close();
rmSync(site, { recursive: true, force: true });
