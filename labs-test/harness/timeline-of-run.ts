// The timeline page of one test run (VIS=fail|always), from the events its world kept in
// memory: graded() calls this after a failing test and prints the path beside the replay
// command.
import path from "node:path";
import type { World } from "../../runtime/world.js";
import { writeTimeline } from "../vis/write-page.js";

/** Events kept in memory per test for its page; past this the oldest half is dropped. */
export const VIS_RECORD_CAP = 300_000;
/** Where the pages go (relative to the repo root, where tests run). */
export const VIS_DIR = path.join(".labs-runs", "vis");

/**
 * Write the page of one run to VIS_DIR/<name>-seed<seed>.html; its absolute path, or a note
 * saying why there is none. Never throws: a failing test's own message matters more than
 * its picture. failure: the failure's virtual time (ms) and message.
 */
export function writeRunTimeline(name: string, seed: number, w: World, failure: { t: number; text: string } | null, dir = VIS_DIR): string {
  try {
    const file = path.resolve(dir, `${name}-seed${seed}.html`);
    const warnings: string[] = [];
    if (w.tracer.droppedEvents > 0) {
      warnings.push(
        `the first ${w.tracer.droppedEvents} events were dropped (memory cap ${VIS_RECORD_CAP}); ` +
          "rerun with TRACE=file and make vis for all of them",
      );
    }
    writeTimeline([...w.tracer.events()], file, { title: `${name} (seed ${seed})`, failure, warnings });
    return file;
  } catch (e) {
    return `(no timeline: ${(e as Error).message})`;
  }
}
