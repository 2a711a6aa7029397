import { readFileSync } from "node:fs";
import { globSync } from "glob";
import { expect, test } from "vitest";

// Lab code and the framework get time and randomness only from runtime/; anything else
// would escape the virtual clock and the seed, and break replay. (Patterns are built
// from pieces so that this file does not match itself.)
const FORBIDDEN: Array<[RegExp, string]> = [
  [new RegExp("\\bset" + "Timeout\\b"), "setTimeout"],
  [new RegExp("\\bset" + "Interval\\b"), "setInterval"],
  [new RegExp("\\bset" + "Immediate\\b"), "setImmediate"],
  [new RegExp("\\bDate\\s*\\.\\s*" + "now\\b"), "Date.now"],
  [new RegExp("\\bnew\\s+" + "Date\\b"), "new Date"],
  [new RegExp("(^|[^.\\w])" + "Date\\s*\\("), "Date()"],
  [new RegExp("\\bperformance\\s*\\.\\s*" + "now\\b"), "performance.now"],
  [new RegExp("\\bMath\\s*\\.\\s*" + "random\\b"), "Math.random"],
  [new RegExp("\\bprocess\\s*\\.\\s*" + "hrtime\\b"), "process.hrtime"],
];

/** Marks a line that only names a forbidden value (a codec test building a Date). */
const ALLOW = "static-check: " + "allow";

export function forbiddenUses(files: string[]): string[] {
  const found: string[] = [];
  for (const f of files) {
    const lines = readFileSync(f, "utf8").split("\n");
    lines.forEach((line, i) => {
      if (line.includes(ALLOW)) return;
      for (const [re, what] of FORBIDDEN) {
        if (re.test(line)) found.push(`${f}:${i + 1}: uses ${what}: ${line.trim()}`);
      }
    });
  }
  return found;
}

/**
 * The folders .gitignore names (out/, mr-tmp/, handout/ …), as glob ignores: what a make
 * target or a run writes there is not the project's code, and a stale copy in out/ must
 * not fail the check.
 */
export function gitignoredFolders(gitignore: string): string[] {
  return gitignore
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.endsWith("/") && !l.startsWith("#") && !l.startsWith("!"))
    .map((l) => (l.startsWith("/") ? `${l.slice(1)}**` : `**/${l}**`));
}

test("no file outside runtime/ reads the clock or Math's randomness directly", () => {
  const ignored = gitignoredFolders(readFileSync(".gitignore", "utf8"));
  const files = globSync("**/*.{ts,js,mjs,cjs}", {
    ignore: ["labs-test/tools/static-check.test.ts", "node_modules/**", "build/**", "runtime/**", "handout/**", ".labs-runs/**", "**/*.d.ts", ...ignored],
  });
  expect(files.length).toBeGreaterThan(10);
  const found = forbiddenUses(files);
  expect(found, `use now(), sleep(), after() and randInt() from runtime/ instead:\n${found.join("\n")}`).toEqual([]);
});

test("gitignored folders are left out, wherever they sit", () => {
  expect(gitignoredFolders("node_modules/\nout/\n# note/\n*.trace.jsonl\n/build/\n!keep/\n")).toEqual(["**/node_modules/**", "**/out/**", "build/**"]);
});

test("the check catches each forbidden use", () => {
  const samples = [
    "set" + "Timeout(f, 1)",
    "const t = Date" + ".now();",
    "new " + "Date()",
    "performance" + ".now()",
    "Math" + ".random()",
    "set" + "Interval(f, 5)",
    "set" + "Immediate(f)",
  ];
  for (const s of samples) {
    expect(FORBIDDEN.some(([re]) => re.test(s)), s).toBe(true);
  }
  expect(FORBIDDEN.some(([re]) => re.test("if (v instanceof Date) throw")), "instanceof is allowed").toBe(false);
  expect(FORBIDDEN.some(([re]) => re.test("x.update()")), "ordinary words are allowed").toBe(false);
});
