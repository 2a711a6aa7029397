// The trusted stand-in module the tests get when they import a student file (raft/raft.ts):
// it re-exports, by name, what that file exports inside the compartment (student-modules.ts).
// Its exports are live bindings that bindStudentModule sets, so that a run that starts with
// fresh student modules (freshStudentModules) gives the tests the new instances.
// Node's loader hook (hooks.ts) and vitest's plugin (vite-plugin.ts) both serve this text in
// place of the student file, so no student file is ever loaded as a module of the process.
const IDENT = /^[A-Za-z_$][\w$]*$/;

/**
 * The stand-in module's JavaScript for the student file `file` (absolute) exporting `names`;
 * `modules` is how the host's loader names student-modules.ts (a file URL for Node, a path
 * for vite), the same module instance for every stand-in.
 */
export function shimSource(file: string, names: readonly string[], modules: string): string {
  const lines = [`import { bindStudentModule } from ${JSON.stringify(modules)};`];
  const sets: string[] = [];
  // Local names that no export name can be: each export's binding is `$$<i>`, exported under its name.
  names.forEach((n, i) => {
    if (n !== "default" && !IDENT.test(n)) return;
    lines.push(`let $$${i};`, `export { $$${i} as ${n === "default" ? "default" : n} };`);
    sets.push(`$$${i} = m[${JSON.stringify(n)}];`);
  });
  lines.push(`bindStudentModule(${JSON.stringify(file)}, (m) => { ${sets.join(" ")} });`);
  return `${lines.join("\n")}\n`;
}
