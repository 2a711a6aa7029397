// Timeline pages of Raft runs in a real browser (headless Chromium): a failing 2C-style run
// of our reference Raft opens without console errors or fetches, with a lane per peer;
// clicking an RPC shows its method and times; filters and keyboard steps work. A reference
// test: it needs our Raft (a stub would send no RPCs to click).
import path from "node:path";
import { expect, test } from "vitest";
import { chromiumForTests, hooks, VIS_TEST_OUT as OUT } from "../../labs-test/vis/page-driver.js";
import { failing2C } from "./timeline-runs.js";

const { open } = chromiumForTests();

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
  await page.click("text=lanes");
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

