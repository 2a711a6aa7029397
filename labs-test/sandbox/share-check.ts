// Whether one instance of a student module may serve several runs of a many-seeds worker.
//
// A worker starts each run with fresh student modules (student-modules.ts), so that no
// module-level state carries from one seed to the next. Evaluating a module again makes
// new classes, and the framework code that handles their instances then meets new object
// shapes every run (V8's inline caches go megamorphic: a third more CPU in the runs). Most
// modules hold no state at all, only constants, functions and classes; for those the
// worker keeps the instance as long as a check after each run finds everything the module
// can reach exactly as its evaluation left it (module-snapshot.ts), which is then the same
// as evaluating it again.
//
// That comparison sees own properties, prototypes and top-level bindings. It cannot see
// state kept where reflection does not reach: variables a closure captured while the
// module was being evaluated, private static fields, what a Map or Set holds. This check,
// on the TypeScript source, lets a module be shared only when evaluating it runs no code
// of the student's beyond its own top level and creates none of those: every top-level
// statement is a declaration (import, export, type, function, class, enum, variable), and
// every value evaluated at the top level (initializers, static fields, enum members,
// computed member names, `extends`) is a literal, a function, a class, an object or array
// literal of such values, a name, or operators over primitive constants. No calls, no
// `new`, no getters run (property reads only from the built-ins and this file's enums), no
// spread, no static blocks or private static fields, no decorators. Anything else keeps the
// module fresh for every run, as before: sharing is a saving, never a requirement.
import type TS from "typescript";
import { typescript } from "./typescript-lazy.js";

/** What the check found: the top-level names of the emitted module (to compare after each run), or why not. */
export type ShareVerdict = { names: string[] } | { refused: string };

/** Frozen built-ins whose properties may be read at the top level (no student code runs). */
const INTRINSICS = new Set(["Math", "Number", "Symbol", "String", "Object", "Array", "JSON", "Reflect", "BigInt", "Boolean", "Infinity", "NaN", "undefined"]);

/**
 * Whether the student file's top level (TypeScript source `source`) evaluates without running
 * student code or keeping hidden state, and if so the names its emitted CommonJS module
 * (`emitted`, from transpile.ts) declares at the top level, helpers included.
 */
export function shareVerdict(fileName: string, source: string, emitted: string): ShareVerdict {
  const ts = typescript();
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const refused = new TopLevel(ts, sf).refusal();
  if (refused !== undefined) return { refused };
  return { names: topLevelNames(ts, emitted) };
}

/** Names the emitted module declares at its top level (variables, functions, classes). */
function topLevelNames(ts: typeof TS, emitted: string): string[] {
  const sf = ts.createSourceFile("emitted.js", emitted, ts.ScriptTarget.ES2022, false, ts.ScriptKind.JS);
  const names = new Set<string>();
  const bind = (n: TS.BindingName): void => {
    if (ts.isIdentifier(n)) names.add(n.text);
    else for (const e of n.elements) if (!ts.isOmittedExpression(e)) bind(e.name);
  };
  for (const s of sf.statements) {
    if (ts.isVariableStatement(s)) for (const d of s.declarationList.declarations) bind(d.name);
    else if ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s)) && s.name !== undefined) names.add(s.name.text);
  }
  return [...names];
}

function hasModifier(ts: typeof TS, n: TS.Node, kind: TS.SyntaxKind): boolean {
  return ts.canHaveModifiers(n) && ts.getModifiers(n)?.some((m) => m.kind === kind) === true;
}

class TopLevel {
  /** Every name declared at the top level: such a name is never a built-in. */
  private readonly declared = new Set<string>();
  /** Top-level constants holding a primitive (operators over them run no student code). */
  private readonly primitive = new Set<string>();
  /** Enums declared in this file: their members are plain data properties. */
  private readonly enums = new Set<string>();

  constructor(
    private readonly ts: typeof TS,
    private readonly sf: TS.SourceFile,
  ) {
    for (const s of sf.statements) {
      if (ts.isVariableStatement(s)) for (const d of s.declarationList.declarations) if (ts.isIdentifier(d.name)) this.declared.add(d.name.text);
      if ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s) || ts.isEnumDeclaration(s)) && s.name !== undefined) this.declared.add(s.name.text);
      if (ts.isImportDeclaration(s) && s.importClause !== undefined) {
        const c = s.importClause;
        if (c.name !== undefined) this.declared.add(c.name.text);
        if (c.namedBindings !== undefined) {
          if (ts.isNamespaceImport(c.namedBindings)) this.declared.add(c.namedBindings.name.text);
          else for (const e of c.namedBindings.elements) this.declared.add(e.name.text);
        }
      }
      if (ts.isImportEqualsDeclaration(s)) this.declared.add(s.name.text);
    }
  }

  private where(n: TS.Node): string {
    return `line ${this.sf.getLineAndCharacterOfPosition(n.getStart(this.sf)).line + 1}`;
  }

  /** Why the top level may keep hidden state or run student code, or undefined. */
  refusal(): string | undefined {
    const ts = this.ts;
    for (const s of this.sf.statements) {
      const why = this.statement(s);
      if (why !== undefined) return `${why} (${this.where(s)})`;
      if (ts.isEnumDeclaration(s)) this.enums.add(s.name.text);
      if (ts.isVariableStatement(s) && (s.declarationList.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const | ts.NodeFlags.Using)) === ts.NodeFlags.Const) {
        for (const d of s.declarationList.declarations) {
          if (ts.isIdentifier(d.name) && d.initializer !== undefined && this.isPrimitive(d.initializer)) this.primitive.add(d.name.text);
        }
      }
    }
    return undefined;
  }

  private statement(s: TS.Statement): string | undefined {
    const ts = this.ts;
    if (hasModifier(ts, s, ts.SyntaxKind.DeclareKeyword)) return undefined;
    if (ts.isImportDeclaration(s) || ts.isExportDeclaration(s) || ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s) || ts.isEmptyStatement(s)) return undefined;
    if (ts.isImportEqualsDeclaration(s)) return ts.isExternalModuleReference(s.moduleReference) ? undefined : "an import alias";
    if (ts.isFunctionDeclaration(s)) return undefined;
    if (ts.isClassDeclaration(s)) return this.klass(s);
    if (ts.isEnumDeclaration(s)) {
      for (const m of s.members) {
        if (m.initializer !== undefined && !this.isPrimitive(m.initializer) && !ts.isStringLiteral(m.initializer)) return "an enum member computed by code";
      }
      return undefined;
    }
    if (ts.isVariableStatement(s)) {
      const list = s.declarationList;
      const kind = list.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const | ts.NodeFlags.Using);
      if (kind === ts.NodeFlags.Using || kind === ts.NodeFlags.AwaitUsing) return "a `using` declaration";
      for (const d of list.declarations) {
        if (!ts.isIdentifier(d.name)) return "a destructuring declaration";
        if (d.initializer !== undefined && !this.isPure(d.initializer)) return `${d.name.text}'s initial value runs code`;
      }
      return undefined;
    }
    if (ts.isExportAssignment(s)) return s.isExportEquals === true ? "`export =`" : this.isPure(s.expression) ? undefined : "a default export that runs code";
    return `a top-level ${ts.SyntaxKind[s.kind]}`;
  }

  private klass(c: TS.ClassLikeDeclaration): string | undefined {
    const ts = this.ts;
    let decorated = false;
    const find = (n: TS.Node): void => {
      if (ts.isDecorator(n)) decorated = true;
      else n.forEachChild(find);
    };
    find(c);
    if (decorated) return "a decorator";
    for (const h of c.heritageClauses ?? []) {
      if (h.token !== ts.SyntaxKind.ExtendsKeyword) continue;
      for (const t of h.types) if (!this.isName(t.expression)) return "a class extending a computed value";
    }
    for (const m of c.members) {
      if (m.name !== undefined && ts.isComputedPropertyName(m.name) && !this.isPrimitive(m.name.expression)) return "a computed member name";
      if (ts.isClassStaticBlockDeclaration(m)) return "a static block";
      if (!hasModifier(ts, m, ts.SyntaxKind.StaticKeyword) || !ts.isPropertyDeclaration(m)) continue;
      if (ts.isPrivateIdentifier(m.name)) return "a private static field";
      if (hasModifier(ts, m, ts.SyntaxKind.AccessorKeyword)) return "a static accessor field";
      if (m.initializer !== undefined && !this.isPure(m.initializer)) return "a static field whose value runs code";
    }
    return undefined;
  }

  /** An identifier or a property path of identifiers (`Error`, `ns.Base`): what `extends` may name. */
  private isName(e: TS.Expression): boolean {
    const ts = this.ts;
    return ts.isIdentifier(e) || (ts.isPropertyAccessExpression(e) && ts.isIdentifier(e.name) && this.isName(e.expression));
  }

  private strip(e: TS.Expression): TS.Expression {
    const ts = this.ts;
    while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isTypeAssertionExpression(e) || ts.isNonNullExpression(e)) e = e.expression;
    return e;
  }

  /** A value whose evaluation runs no student code and makes only objects reflection sees whole. */
  private isPure(e0: TS.Expression): boolean {
    const ts = this.ts;
    const e = this.strip(e0);
    if (this.isPrimitive(e) || ts.isIdentifier(e) || ts.isFunctionExpression(e) || ts.isArrowFunction(e)) return true;
    if (ts.isClassExpression(e)) return this.klass(e) === undefined;
    if (ts.isRegularExpressionLiteral(e)) return true;
    if (ts.isArrayLiteralExpression(e)) return e.elements.every((x) => ts.isOmittedExpression(x) || (!ts.isSpreadElement(x) && this.isPure(x)));
    if (ts.isObjectLiteralExpression(e)) {
      return e.properties.every((p) => {
        if (p.name !== undefined && ts.isComputedPropertyName(p.name) && !this.isPrimitive(p.name.expression)) return false;
        if (ts.isPropertyAssignment(p)) return this.isPure(p.initializer);
        return ts.isShorthandPropertyAssignment(p) ? p.objectAssignmentInitializer === undefined : ts.isMethodDeclaration(p) || ts.isGetAccessorDeclaration(p) || ts.isSetAccessorDeclaration(p);
      });
    }
    return false;
  }

  /**
   * A value made only of literals, this file's primitive constants, this file's enum members
   * and the built-ins' properties, through operators: a primitive, and no student getter,
   * valueOf or toString runs on the way.
   */
  private isPrimitive(e0: TS.Expression): boolean {
    const ts = this.ts;
    const e = this.strip(e0);
    switch (e.kind) {
      case ts.SyntaxKind.NumericLiteral:
      case ts.SyntaxKind.StringLiteral:
      case ts.SyntaxKind.BigIntLiteral:
      case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
      case ts.SyntaxKind.TrueKeyword:
      case ts.SyntaxKind.FalseKeyword:
      case ts.SyntaxKind.NullKeyword:
        return true;
    }
    if (ts.isIdentifier(e)) return this.primitive.has(e.text) || (INTRINSICS.has(e.text) && !this.declared.has(e.text));
    if (ts.isPropertyAccessExpression(e) && ts.isIdentifier(e.expression) && ts.isIdentifier(e.name)) {
      const base = e.expression.text;
      return this.enums.has(base) || (INTRINSICS.has(base) && !this.declared.has(base));
    }
    if (ts.isTemplateExpression(e)) return e.templateSpans.every((s) => this.isPrimitive(s.expression));
    if (ts.isPrefixUnaryExpression(e)) return e.operator !== ts.SyntaxKind.PlusPlusToken && e.operator !== ts.SyntaxKind.MinusMinusToken && this.isPrimitive(e.operand);
    if (ts.isTypeOfExpression(e) || ts.isVoidExpression(e)) return this.isPrimitive(e.expression);
    if (ts.isConditionalExpression(e)) return this.isPrimitive(e.condition) && this.isPrimitive(e.whenTrue) && this.isPrimitive(e.whenFalse);
    if (ts.isBinaryExpression(e)) {
      const op = e.operatorToken.kind;
      const assigns = op >= ts.SyntaxKind.FirstAssignment && op <= ts.SyntaxKind.LastAssignment;
      if (assigns || op === ts.SyntaxKind.InKeyword || op === ts.SyntaxKind.InstanceOfKeyword || op === ts.SyntaxKind.CommaToken) return false;
      return this.isPrimitive(e.left) && this.isPrimitive(e.right);
    }
    return false;
  }
}
