// The static check of student code (Labs 2-4), run by `make test-XX` and the grader before
// any test: everything the sandbox (labs-test/sandbox/) would refuse at run time, said up
// front as file:line messages. It reads the files with TypeScript's own parser and checks
// imports against the sandbox's policy (labs-test/sandbox/policy.ts), then names that
// reach outside: process, globalThis, eval, Function, dynamic import(), Node's timers, the
// clock, Math.random, and assignments to what is frozen (built-ins, the course's modules,
// the prototypes of what the framework hands over). The sandbox stays the wall; this is
// the clear message.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type TS from "typescript";
import { PARTS, studentFilesIn, type LabPart } from "../labs.js";
import { FRAMEWORK_API, FRAMEWORK_IN_COMPARTMENT, REFUSED_MEMBERS, REFUSED_NAMES } from "../sandbox/policy.js";
import { typescript } from "../sandbox/typescript-lazy.js";

// The compiler (~9 MB of JavaScript, about a CPU second to load) is loaded by the first
// check that parses a file: a run whose files the cache (static-check-cache.ts) already
// knows never loads it.
let ts: typeof TS;

export interface Problem {
  /** Relative to the root, with forward slashes. */
  file: string;
  /** 1-based. */
  line: number;
  message: string;
}

export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}: ${p.message}`;
}

const ALLOWED_LIST = [...Object.keys(FRAMEWORK_API), ...FRAMEWORK_IN_COMPARTMENT].join(", ");

/** JavaScript's built-in objects, whose members the check refuses to assign. */
const BUILT_INS = new Set([
  "Object", "Array", "Function", "Promise", "Math", "JSON", "Reflect", "Proxy", "Symbol", "Error", "TypeError", "RangeError",
  "Map", "Set", "WeakMap", "WeakSet", "Number", "String", "Boolean", "BigInt", "Date", "RegExp", "Uint8Array", "ArrayBuffer",
]);

/** Names the file declares anywhere (a local `self`, a parameter `module`): not the global. */
function declaredNames(sf: TS.SourceFile): Set<string> {
  const out = new Set<string>();
  const bind = (n: TS.BindingName | TS.Identifier | undefined): void => {
    if (n === undefined) return;
    if (ts.isIdentifier(n)) out.add(n.text);
    else if (ts.isObjectBindingPattern(n) || ts.isArrayBindingPattern(n)) {
      for (const el of n.elements) if (!ts.isOmittedExpression(el)) bind(el.name);
    }
  };
  const visit = (n: TS.Node): void => {
    if (ts.isVariableDeclaration(n) || ts.isParameter(n) || ts.isBindingElement(n)) bind(n.name);
    else if ((ts.isFunctionDeclaration(n) || ts.isClassDeclaration(n) || ts.isFunctionExpression(n) || ts.isClassExpression(n)) && n.name !== undefined) bind(n.name);
    else if (ts.isImportSpecifier(n) || ts.isNamespaceImport(n) || ts.isImportClause(n)) bind(n.name);
    else if (ts.isEnumDeclaration(n)) bind(n.name);
    n.forEachChild(visit);
  };
  visit(sf);
  return out;
}

/** Local names bound by this file's imports of the course's modules (policy.ts FRAMEWORK_API). */
function frameworkBindings(sf: TS.SourceFile, relFile: string): Set<string> {
  const out = new Set<string>();
  for (const st of sf.statements) {
    if (!ts.isImportDeclaration(st) || !ts.isStringLiteral(st.moduleSpecifier) || st.importClause === undefined) continue;
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(relFile), st.moduleSpecifier.text.replace(/\.js$/, ".ts")));
    if (FRAMEWORK_API[target] === undefined) continue;
    const c = st.importClause;
    if (c.name !== undefined) out.add(c.name.text);
    if (c.namedBindings !== undefined) {
      if (ts.isNamespaceImport(c.namedBindings)) out.add(c.namedBindings.name.text);
      else for (const e of c.namedBindings.elements) out.add(e.name.text);
    }
  }
  return out;
}

/** Whether this identifier is a reference to a variable (not a property name, key or label). */
function isReference(id: TS.Identifier): boolean {
  const p = id.parent;
  if (ts.isPropertyAccessExpression(p) && p.name === id) return false;
  if ((ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p) || ts.isMethodDeclaration(p) || ts.isPropertySignature(p) || ts.isMethodSignature(p) || ts.isGetAccessor(p) || ts.isSetAccessor(p) || ts.isEnumMember(p)) && p.name === id) return false;
  if (ts.isQualifiedName(p) || ts.isTypeReferenceNode(p) || ts.isLabeledStatement(p) || ts.isBreakOrContinueStatement(p)) return false;
  if (ts.isImportSpecifier(p) || ts.isExportSpecifier(p)) return false;
  // Types are erased: `x: Function` names no value.
  for (let a: TS.Node = id; a.parent !== undefined; a = a.parent) {
    if (ts.isTypeNode(a) && !ts.isExpressionWithTypeArguments(a)) return false;
  }
  return true;
}

/**
 * Problems in these student files (paths relative to root). `studentFiles` is every file
 * that counts as the student's here (imports among them are allowed); `elsewhere` are
 * student files of other parts, named as such when imported.
 */
export function checkStudentFiles(root: string, files: readonly string[], studentFiles: readonly string[] = files, elsewhere: readonly string[] = []): Problem[] {
  const own = new Set(studentFiles.map((f) => f.split(path.sep).join("/")));
  const other = new Set(elsewhere.map((f) => f.split(path.sep).join("/")));
  const problems: Problem[] = [];
  ts ??= typescript();
  for (const rel of files) {
    const abs = path.join(root, rel);
    if (!existsSync(abs)) continue;
    const sf = ts.createSourceFile(abs, readFileSync(abs, "utf8"), ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
    const relFile = rel.split(path.sep).join("/");
    const at = (n: TS.Node, message: string): void => {
      problems.push({ file: relFile, line: sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1, message });
    };
    const declared = declaredNames(sf);
    const fromFramework = frameworkBindings(sf, relFile);

    const checkImport = (node: TS.Node, spec: string, names: string[] | undefined): void => {
      if (!spec.startsWith("./") && !spec.startsWith("../")) {
        at(node, `imports "${spec}": student code may import only its own files and the course's modules (${ALLOWED_LIST})`);
        return;
      }
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(relFile), spec.replace(/\.js$/, ".ts")));
      const api = FRAMEWORK_API[target];
      if (api !== undefined) {
        const extra = (names ?? []).filter((n) => !api.includes(n));
        if (names === undefined) at(node, `re-exports all of "${spec}": import the names you use (${api.join(", ")})`);
        else if (extra.length > 0) at(node, `imports ${extra.join(", ")} from "${spec}", which student code cannot use; it offers ${api.join(", ")}`);
        return;
      }
      if (FRAMEWORK_IN_COMPARTMENT.includes(target) || own.has(target)) return;
      if (other.has(target)) {
        at(node, `imports "${spec}" (${target}), a student file of another lab part: a part is graded with its own files only`);
        return;
      }
      at(node, `imports "${spec}" (${target}): student code may import only its own files and the course's modules (${ALLOWED_LIST})`);
    };

    const visit = (n: TS.Node): void => {
      if (ts.isImportDeclaration(n) && ts.isStringLiteral(n.moduleSpecifier)) {
        const c = n.importClause;
        const typeOnly = c !== undefined && (c.isTypeOnly || (c.name === undefined && c.namedBindings !== undefined && ts.isNamedImports(c.namedBindings) && c.namedBindings.elements.length > 0 && c.namedBindings.elements.every((e) => e.isTypeOnly)));
        if (!typeOnly) {
          let names: string[] | undefined = [];
          if (c?.name !== undefined) names.push("default");
          if (c?.namedBindings !== undefined) {
            if (ts.isNamespaceImport(c.namedBindings)) names = undefined;
            else for (const e of c.namedBindings.elements) if (!e.isTypeOnly) names.push((e.propertyName ?? e.name).text);
          }
          // `import * as rt` is fine for a framework module: the stand-in has only the API.
          checkImport(n, n.moduleSpecifier.text, names ?? FRAMEWORK_API[path.posix.normalize(path.posix.join(path.posix.dirname(relFile), n.moduleSpecifier.text.replace(/\.js$/, ".ts")))]?.slice());
        }
        return;
      }
      if (ts.isExportDeclaration(n) && n.moduleSpecifier !== undefined && ts.isStringLiteral(n.moduleSpecifier)) {
        if (!n.isTypeOnly) {
          const names = n.exportClause === undefined ? undefined : ts.isNamedExports(n.exportClause) ? n.exportClause.elements.filter((e) => !e.isTypeOnly).map((e) => (e.propertyName ?? e.name).text) : undefined;
          checkImport(n, n.moduleSpecifier.text, names);
        }
        return;
      }
      if (ts.isImportEqualsDeclaration(n)) {
        at(n, "uses import = require(): use an ES import of an allowed module");
        return;
      }
      if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword) at(n, "uses dynamic import(): student code imports statically, and only allowed modules");
      if (ts.isMetaProperty(n) && n.keywordToken === ts.SyntaxKind.ImportKeyword) at(n, "uses import.meta: student code cannot see where it is loaded from");
      if (ts.isIdentifier(n) && Object.hasOwn(REFUSED_NAMES, n.text) && !declared.has(n.text) && isReference(n)) at(n, `uses ${n.text}: ${REFUSED_NAMES[n.text]}`);
      if (ts.isPropertyAccessExpression(n) && ts.isIdentifier(n.expression) && !declared.has(n.expression.text)) {
        const why = REFUSED_MEMBERS[n.expression.text]?.[n.name.text];
        if (why !== undefined) at(n, `uses ${n.expression.text}.${n.name.text}: ${why}`);
      }
      if (ts.isElementAccessExpression(n) && ts.isIdentifier(n.expression) && Object.hasOwn(REFUSED_MEMBERS, n.expression.text) && !declared.has(n.expression.text) && !ts.isStringLiteral(n.argumentExpression)) {
        at(n, `uses ${n.expression.text}[…]: name the member (computed access to ${n.expression.text} is not allowed)`);
      }
      // The Function constructor reached through any function: `f.constructor("…")`.
      if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === "constructor") {
        at(n, "calls a .constructor property: the Function constructor is not allowed in student code");
      }
      if (ts.isStringLiteralLike(n) && n.text === "constructor" && !ts.isPropertyAssignment(n.parent)) {
        at(n, 'names "constructor" as a string: the Function constructor is not allowed in student code');
      }
      // Built-ins are frozen: an assignment to one of their members fails at run time.
      if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
        // Down the member chain to the object it starts from: `(Array.prototype as X).push = …`.
        let e: TS.Expression = n.left;
        let member = false;
        for (;;) {
          if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isTypeAssertionExpression(e) || ts.isNonNullExpression(e)) e = e.expression;
          else if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) {
            member = true;
            e = e.expression;
          } else break;
        }
        if (member && ts.isIdentifier(e) && BUILT_INS.has(e.text) && !declared.has(e.text)) at(n, `changes the built-in ${e.text}: built-ins are frozen (and shared with the tests)`);
        // The course's modules and what they export are frozen too, and so is the prototype of
        // anything the framework hands over (reached with getPrototypeOf).
        else if (member && ts.isIdentifier(e) && fromFramework.has(e.text)) at(n, `changes ${e.text}, which a course module exports: the course's modules are frozen (and shared with the tests)`);
        else if (member && ts.isCallExpression(e) && /^(Object|Reflect)\.getPrototypeOf$/.test(e.expression.getText(sf))) {
          at(n, "changes a prototype reached with getPrototypeOf: the prototypes of what the framework hands over are frozen (and shared with the tests)");
        }
      }
      if ((ts.isNewExpression(n) || ts.isCallExpression(n)) && ts.isIdentifier(n.expression) && n.expression.text === "Date" && !declared.has("Date") && (ts.isCallExpression(n) || (n.arguments ?? []).length === 0)) {
        at(n, "reads the clock with Date: use now() from runtime/index.ts (time is virtual in tests)");
      }
      n.forEachChild(visit);
    };
    visit(sf);
  }
  return problems;
}

/**
 * The check for these parts' student files under root (the simulated parts: Lab 1's
 * student code runs as real processes under Node's permission model instead), as
 * file:line lines; empty when all is well. Each part's files may import only that part's
 * files (Raft's from kvraft, not kvraft's from Raft): the grader installs only the graded
 * parts' files, so what passes here is what can run there.
 */
export function staticCheckParts(root: string, parts: readonly LabPart[], cache?: FileCheckCache): string[] {
  const all = [...new Set(PARTS.flatMap((p) => studentFilesIn(p, root)))];
  const out = new Set<string>();
  for (const p of parts.filter((p) => !p.realProcesses)) {
    const files = studentFilesIn(p, root);
    const problems =
      cache === undefined
        ? checkStudentFiles(root, files, files, all)
        : files.flatMap((f) => cache.problems(root, f, files, all, () => checkStudentFiles(root, [f], files, all)));
    for (const problem of problems) out.add(formatProblem(problem));
  }
  return [...out];
}

/**
 * Results kept between runs (static-check-cache.ts): the problems of student file `rel`
 * checked as one of `own` beside the other parts' `elsewhere`, or `check()`'s.
 */
export interface FileCheckCache {
  problems(root: string, rel: string, own: readonly string[], elsewhere: readonly string[], check: () => Problem[]): Problem[];
}
