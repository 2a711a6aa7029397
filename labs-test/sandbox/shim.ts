// The trusted stand-in module the tests get when they import a student file (raft/raft.ts):
// it re-exports, by name, what that file exports inside the compartment (student-modules.ts).
// Node's loader hook (hooks.ts) and vitest's plugin (vite-plugin.ts) both serve this text in
// place of the student file, so no student file is ever loaded as a module of the process.
const IDENT = /^[A-Za-z_$][\w$]*$/;

/**
 * The stand-in module's JavaScript for the student file `file` (absolute) exporting `names`;
 * `modules` is how the host's loader names student-modules.ts (a file URL for Node, a path
 * for vite), the same module instance for every stand-in.
 */
export function shimSource(file: string, names: readonly string[], modules: string): string {
  const lines = [
    `import { studentExports } from ${JSON.stringify(modules)};`,
    `const m = studentExports(${JSON.stringify(file)});`,
  ];
  for (const n of names) {
    if (n === "default") lines.push(`export default m["default"];`);
    else if (IDENT.test(n)) lines.push(`export const ${n} = m[${JSON.stringify(n)}];`);
  }
  return `${lines.join("\n")}\n`;
}
