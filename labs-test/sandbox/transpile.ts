// A student file's TypeScript as the body of a CommonJS-style module function, each line
// of code on the line it had in the source, so that a stack trace through student code
// names the student's file and line without source maps (the compartment evaluates a
// string, and neither Node nor vitest maps positions inside evaluated code).
//
// TypeScript's own transpiler does the work (type erasure, `import` → `require`, live
// `exports`); its source map then says where each emitted line came from, and the emitted
// lines are laid out again: a line goes down to its source line (blank lines fill the gap),
// or joins the line before it when TypeScript moved it up (its hoisted `exports.x = …`
// header). Line breaks inside template literals are never joined. Columns differ from the
// source; lines do not.
import { SourceMap } from "node:module";
import type TS from "typescript";
import { shareVerdict, type ShareVerdict } from "./share-check.js";
import { typescript } from "./typescript-lazy.js";

export class TranspileError extends Error {}

/** How the module body's last line begins: it carries share-check.ts's verdict (splitBody). */
const VERDICT = "\n//labs-share ";

/** TypeScript's options (its enums are read when the compiler loads). */
const options = (ts: typeof TS): TS.CompilerOptions => ({
  module: ts.ModuleKind.CommonJS,
  // As tsconfig.json and tsx: class fields keep their define semantics.
  target: ts.ScriptTarget.ES2022,
  esModuleInterop: true,
  isolatedModules: true,
  preserveConstEnums: true,
  sourceMap: true,
  // Comments go: a joined line must never end inside one, and SES rejects text that looks
  // like an import expression or an HTML comment even inside comments.
  removeComments: true,
  newLine: ts.NewLineKind.LineFeed,
});

/** Ranges [start, end) of the emitted code in which a line break belongs to a token. */
function tokenRanges(code: string): Array<[number, number]> {
  const ts = typescript();
  const sf = ts.createSourceFile("emitted.js", code, ts.ScriptTarget.ES2022, false, ts.ScriptKind.JS);
  const ranges: Array<[number, number]> = [];
  const visit = (n: TS.Node): void => {
    switch (n.kind) {
      case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
      case ts.SyntaxKind.TemplateHead:
      case ts.SyntaxKind.TemplateMiddle:
      case ts.SyntaxKind.TemplateTail:
      case ts.SyntaxKind.StringLiteral:
      case ts.SyntaxKind.RegularExpressionLiteral:
        ranges.push([n.getStart(sf), n.getEnd()]);
        return;
    }
    n.forEachChild(visit);
  };
  visit(sf);
  return ranges.sort((a, b) => a[0] - b[0]);
}

/**
 * The module body for `fileName` (an absolute path, for messages): CommonJS code using
 * `require`, `exports` and `module`, line-aligned with `source`, and a last line (a
 * comment) saying whether one instance may serve several runs (share-check.ts; splitBody).
 * @throws TranspileError naming file:line for a syntax error.
 */
export function transpileStudentFile(fileName: string, source: string): string {
  const ts = typescript();
  const out = ts.transpileModule(source, { fileName, compilerOptions: options(ts), reportDiagnostics: true });
  const errors = (out.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) {
    const d = errors[0]!;
    const where = d.file !== undefined && d.start !== undefined ? `:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}` : "";
    throw new TranspileError(`${fileName}${where}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
  }
  const code = out.outputText.replace(/\n\/\/# sourceMappingURL=[^\n]*\n?$/, "\n");
  const map = new SourceMap(JSON.parse(out.sourceMapText!) as ConstructorParameters<typeof SourceMap>[0]);
  return `${layOut(code, map)}${VERDICT}${JSON.stringify(shareVerdict(fileName, source, code))}`;
}

/**
 * A module body (transpileStudentFile's, or the one prepared from it) without its last
 * line, and the verdict that line carries. Only the last line counts: a line of the
 * student's text (inside a template literal) can look the same but is never last. A body
 * without a readable verdict is never shared.
 */
export function splitBody(text: string): { body: string; verdict: ShareVerdict } {
  const at = text.lastIndexOf(VERDICT);
  if (at < 0 || text.indexOf("\n", at + 1) >= 0) return { body: text, verdict: { refused: "no verdict" } };
  let verdict: ShareVerdict = { refused: "unreadable verdict" };
  try {
    const v = JSON.parse(text.slice(at + VERDICT.length)) as { names?: unknown; refused?: unknown };
    if (Array.isArray(v.names) && v.names.every((n) => typeof n === "string" && /^[A-Za-z_$][\w$]*$/.test(n))) verdict = { names: v.names as string[] };
    else if (typeof v.refused === "string") verdict = { refused: v.refused };
  } catch {
    // unreadable: never shared
  }
  return { body: text.slice(0, at), verdict };
}

function layOut(code: string, map: SourceMap): string {
  const ranges = tokenRanges(code);
  // Split at line breaks that lie between tokens: each piece keeps any break inside a token.
  const pieces: Array<{ text: string; line: number }> = [];
  let start = 0;
  let line = 0;
  let pieceLine = 0;
  let r = 0;
  for (let i = 0; i < code.length; i++) {
    if (code.charCodeAt(i) !== 10) continue;
    while (r < ranges.length && ranges[r]![1] <= i) r++;
    const inToken = r < ranges.length && ranges[r]![0] < i && i < ranges[r]![1];
    if (!inToken) {
      pieces.push({ text: code.slice(start, i), line: pieceLine });
      start = i + 1;
      pieceLine = line + 1;
    }
    line++;
  }
  if (start < code.length) pieces.push({ text: code.slice(start), line: pieceLine });

  const outParts: string[] = [];
  let cur = 0;
  let first = true;
  for (const p of pieces) {
    const firstLineText = p.text.split("\n", 1)[0]!;
    const col = firstLineText.length - firstLineText.trimStart().length;
    if (firstLineText.trim() === "") continue;
    const e = map.findEntry(p.line, col) as { generatedLine?: number; originalLine?: number };
    const target = e.generatedLine === p.line && e.originalLine !== undefined ? e.originalLine : undefined;
    if (target !== undefined && target > cur) {
      outParts.push("\n".repeat(target - cur));
      cur = target;
    } else if (!first) {
      outParts.push(" ");
    }
    outParts.push(p.text.trimStart());
    cur += (p.text.match(/\n/g) ?? []).length;
    first = false;
  }
  return outParts.join("");
}
