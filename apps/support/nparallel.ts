// How many workers are in the same phase right now: each announces itself with a file
// named after its pid, counts the files whose process is alive, and stays a second so
// that overlapping workers see each other.
import { readdirSync, rmSync, writeFileSync } from "node:fs";
import { RealClock } from "../../runtime/real-clock.js";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function nparallel(phase: string): Promise<number> {
  const mine = `mr-worker-${phase}-${process.pid}`;
  writeFileSync(mine, "x");
  const pattern = new RegExp(`^mr-worker-${phase}-(\\d+)`);
  let n = 0;
  for (const name of readdirSync(".")) {
    const m = pattern.exec(name);
    if (m && alive(Number(m[1]))) n++;
  }
  const clock = new RealClock();
  await clock.sleep(1000);
  clock.stop();
  rmSync(mine, { force: true });
  return n;
}
