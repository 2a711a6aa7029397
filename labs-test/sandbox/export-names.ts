// The value names a student file exports, read from its syntax (TypeScript's parser), so
// that the trusted stand-in module the tests import (shim.ts) can re-export them by name:
// an ES module's export names must be known before the compartment runs the file.
// Type-only exports (interfaces, type aliases, `export type`) have no value and are left out.
import { readFileSync } from "node:fs";
import path from "node:path";
import type TS from "typescript";
import { typescript } from "./typescript-lazy.js";

function hasModifier(n: TS.Node, kind: TS.SyntaxKind): boolean {
  const ts = typescript();
  return ts.canHaveModifiers(n) && (ts.getModifiers(n) ?? []).some((m) => m.kind === kind);
}

function bindingNames(name: TS.BindingName, out: string[]): void {
  const ts = typescript();
  if (ts.isIdentifier(name)) out.push(name.text);
  else for (const el of name.elements) if (!ts.isOmittedExpression(el)) bindingNames(el.name, out);
}

/**
 * Value export names of the TypeScript file `file`. `export * from "./x.js"` follows x
 * through `resolve` (which returns the names of a module it is not given to parse itself,
 * or undefined to parse the file). Sorted, without duplicates.
 */
export function exportNames(file: string, resolve: (fromFile: string, specifier: string) => string[] | undefined = () => undefined, seen = new Set<string>()): string[] {
  const ts = typescript();
  if (seen.has(file)) return [];
  seen.add(file);
  const sf = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const out: string[] = [];
  for (const st of sf.statements) {
    if (ts.isExportDeclaration(st)) {
      if (st.isTypeOnly) continue;
      const spec = st.moduleSpecifier !== undefined && ts.isStringLiteral(st.moduleSpecifier) ? st.moduleSpecifier.text : undefined;
      if (st.exportClause === undefined) {
        if (spec === undefined) continue;
        const given = resolve(file, spec);
        if (given !== undefined) out.push(...given.filter((n) => n !== "default"));
        else {
          const target = path.resolve(path.dirname(file), spec.replace(/\.js$/, ".ts"));
          out.push(...exportNames(target, resolve, seen).filter((n) => n !== "default"));
        }
      } else if (ts.isNamespaceExport(st.exportClause)) {
        out.push(st.exportClause.name.text);
      } else {
        for (const el of st.exportClause.elements) if (!el.isTypeOnly) out.push(el.name.text);
      }
      continue;
    }
    if (ts.isExportAssignment(st)) {
      out.push("default");
      continue;
    }
    if (!hasModifier(st, ts.SyntaxKind.ExportKeyword)) continue;
    if (hasModifier(st, ts.SyntaxKind.DeclareKeyword)) continue;
    const isDefault = hasModifier(st, ts.SyntaxKind.DefaultKeyword);
    if (ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) {
      if (isDefault) out.push("default");
      else if (st.name !== undefined) out.push(st.name.text);
    } else if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) bindingNames(d.name, out);
    } else if (ts.isEnumDeclaration(st) || ts.isModuleDeclaration(st)) {
      if (ts.isIdentifier(st.name)) out.push(st.name.text);
    }
  }
  return [...new Set(out)].sort();
}
