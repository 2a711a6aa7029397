// The timeline page of a failing kvraft run in a real browser (headless Chromium): server
// and clerk lanes, clerk ops as intervals, and porcupine's rejected key linking to its ops.
// A reference test: it needs our kvraft and Raft to complete the clerks' calls.
import path from "node:path";
import { expect, test } from "vitest";
import { chromiumForTests, hooks, VIS_TEST_OUT as OUT } from "../../labs-test/vis/page-driver.js";
import { failingKv } from "./timeline-run.js";

const { open } = chromiumForTests();

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

