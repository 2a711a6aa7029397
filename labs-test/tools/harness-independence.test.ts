import { readFileSync } from "node:fs";
import path from "node:path";
import { globSync } from "glob";
import { expect, test } from "vitest";
import { relativeImports } from "../harness/relative-imports.js";

// Each lab's harness (<lab>/config.ts, the course's config.go) stands on the shared frame
// in labs-test/harness/ and on other labs' student files and persister, as the course's
// do, but never on another lab's harness: otherwise a change to Raft's harness silently
// changes kvraft's tests, and the shared parts drift apart again.
const HARNESS = /^([^/]+)\/config\.ts$/;
/** The schedule search's run body of one lab drives that lab's harness, as its tests do. */
const HUNT_RUN = /^labs-test\/hunt\/([^/]+)-run\.ts$/;

/** The lab a file belongs to: its top folder, or the lab a hunt run body drives. */
function labOf(f: string): string {
  return HUNT_RUN.exec(f)?.[1] ?? f.split("/")[0]!;
}

function sources(): string[] {
  return globSync("**/*.ts", { ignore: ["node_modules/**", "build/**", "handout/**", ".labs-runs/**", "**/*.d.ts"], posix: true });
}

test("no file imports another lab's harness", () => {
  const found: string[] = [];
  for (const f of sources()) {
    const lab = labOf(f);
    for (const target of relativeImports(".", f)) {
      const owner = HARNESS.exec(target)?.[1];
      if (owner !== undefined && owner !== lab) found.push(`${f} imports ${target}`);
    }
  }
  expect(found, "share through labs-test/harness/ instead").toEqual([]);
});

test("every lab's harness is built on the shared test frame", () => {
  const harnesses = sources().filter((f) => HARNESS.test(f));
  expect(harnesses).toContain("raft/config.ts");
  const without = harnesses.filter((f) => !relativeImports(".", f).includes("labs-test/harness/test-frame.ts"));
  expect(without, "extend TestFrame from labs-test/harness/test-frame.ts").toEqual([]);
});
