import { capText, firstLineOf } from "../../harness/safe-text.js";
import { partOfTestIn } from "../../labs.js";
import type { RunsFile } from "../runs-file.js";

// JUnit XML: one testcase per test and run (seed), named uniquely, failures with their
// text in the element body; parts not run get one failed testcase per planned run. Sizes
// are bounded whatever the runs hold: a failure's message is its first line (1 KB), and
// only a test's first failing run carries its full text (8 KB); the others point to it.

/** Bytes of a failure's full text in the XML (the first failing run of each test). */
const BODY_CAP = 8 * 1024;

/** Text safe inside XML: escaped, and without characters XML 1.0 forbids (NUL, lone surrogates, most controls). */
export function xmlText(s: string): string {
  return s
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "\uFFFD")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

interface Case {
  part: string;
  name: string;
  seconds: number;
  failure?: { message: string; body: string };
}

export function junitXml(runs: RunsFile): string {
  const cases: Case[] = [];
  /** Test → the seed of its first failing run whose full text is in the file. */
  const shown = new Map<string, number>();
  // A profile's hunt lines (grade/profile.ts) belong to their part, like its tests.
  const huntPart = new Map((runs.hunts ?? []).map((h) => [h.test, h.part]));
  for (const r of [...runs.records].sort((a, b) => a.id - b.id)) {
    const part = huntPart.get(r.name) ?? partOfTestIn(r.name, runs.parts)?.id ?? "";
    let failure: Case["failure"];
    if (!r.passed) {
      const message = firstLineOf(r.error ?? "failed");
      const first = shown.get(r.name);
      if (first === undefined && r.skipped !== true) shown.set(r.name, r.seed);
      const body =
        first === undefined && r.skipped !== true
          ? capText(r.detail ?? r.error ?? "failed", BODY_CAP)
          : `${message}${first === undefined ? "" : `\n(the full text of this test's first failure is under seed ${first})`}`;
      failure = { message, body };
    }
    cases.push({ part, name: `${r.name} [seed ${r.seed}]`, seconds: r.wallMs / 1000, failure });
  }
  for (const [part, why] of Object.entries(runs.notRun)) {
    let told = false;
    const planned: Array<[string, number[]]> = [
      ...runs.tests.filter((t) => partOfTestIn(t, runs.parts)?.id === part).map((t): [string, number[]] => [t, runs.seeds]),
      ...(runs.hunts ?? []).filter((h) => h.part === part).map((h): [string, number[]] => [h.test, h.seeds]),
    ];
    for (const [t, seeds] of planned) {
      for (const seed of seeds) {
        // The reason in full once per part; every other case of the part repeats its first line.
        const body = told ? firstLineOf(why) : capText(why, BODY_CAP);
        told = true;
        cases.push({ part, name: `${t} [seed ${seed}]`, seconds: 0, failure: { message: firstLineOf(why), body } });
      }
    }
  }
  const suites = runs.parts.map((p) => {
    const cs = cases.filter((c) => c.part === p);
    const fails = cs.filter((c) => c.failure !== undefined).length;
    const time = cs.reduce((a, c) => a + c.seconds, 0);
    const body = cs
      .map((c) => {
        const open = `    <testcase classname="labs.${xmlText(p)}" name="${xmlText(c.name)}" time="${c.seconds.toFixed(3)}"`;
        if (c.failure === undefined) return `${open}/>`;
        return `${open}>\n      <failure message="${xmlText(c.failure.message)}">${xmlText(c.failure.body)}</failure>\n    </testcase>`;
      })
      .join("\n");
    return `  <testsuite name="${xmlText(p)}" tests="${cs.length}" failures="${fails}" errors="0" time="${time.toFixed(3)}">\n${body}\n  </testsuite>`;
  });
  const n = cases.length;
  const f = cases.filter((c) => c.failure !== undefined).length;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="labs-ts" tests="${n}" failures="${f}" time="${runs.wallSeconds.toFixed(3)}">\n${suites.join("\n")}\n</testsuites>\n`;
}
