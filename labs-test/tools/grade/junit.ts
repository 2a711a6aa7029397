import { partOfTest } from "../../labs.js";
import type { RunsFile } from "../runs-file.js";

// JUnit XML: one testcase per test and run (seed), named uniquely, failures with their
// text in the element body; parts not run get one failed testcase per planned run.

/** Text safe inside XML: escaped, and without characters XML 1.0 forbids. */
export function xmlText(s: string): string {
  return s
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD]/gu, "\uFFFD")
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
  for (const r of runs.records) {
    const part = partOfTest(r.name)?.id ?? "";
    cases.push({
      part,
      name: `${r.name} [seed ${r.seed}]`,
      seconds: r.wallMs / 1000,
      failure: r.passed ? undefined : { message: r.error ?? "failed", body: r.detail ?? r.error ?? "failed" },
    });
  }
  for (const [part, why] of Object.entries(runs.notRun)) {
    for (const t of runs.tests.filter((t) => partOfTest(t)?.id === part)) {
      for (const seed of runs.seeds) cases.push({ part, name: `${t} [seed ${seed}]`, seconds: 0, failure: { message: why, body: why } });
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
