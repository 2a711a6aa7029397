// node:path in the playground's worker: POSIX paths over the in-memory tree (node/fs.ts),
// enough for the sandbox and the harness (resolve, join, relative, dirname …).
function normalizeParts(parts: string[], absolute: boolean): string {
  const out: string[] = [];
  for (const p of parts) {
    if (p === "" || p === ".") continue;
    if (p === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!absolute) out.push("..");
    } else out.push(p);
  }
  const s = out.join("/");
  return absolute ? `/${s}` : s === "" ? "." : s;
}

export const sep = "/";
export const delimiter = ":";

export function normalize(p: string): string {
  return normalizeParts(p.split("/"), p.startsWith("/"));
}

export function join(...ps: string[]): string {
  const joined = ps.filter((p) => p !== "").join("/");
  return joined === "" ? "." : normalize(joined);
}

/** Relative paths resolve against /labs, the page's repository root. */
export function resolve(...ps: string[]): string {
  let acc = "";
  for (let i = ps.length - 1; i >= 0 && !acc.startsWith("/"); i--) acc = acc === "" ? ps[i]! : `${ps[i]!}/${acc}`;
  if (!acc.startsWith("/")) acc = `/labs/${acc}`;
  return normalize(acc);
}

export function dirname(p: string): string {
  const n = p.replace(/\/+$/, "");
  const i = n.lastIndexOf("/");
  if (i === -1) return ".";
  return i === 0 ? "/" : n.slice(0, i);
}

export function basename(p: string, ext?: string): string {
  const b = p.replace(/\/+$/, "").split("/").pop() ?? "";
  return ext !== undefined && b.endsWith(ext) ? b.slice(0, b.length - ext.length) : b;
}

export function extname(p: string): string {
  const b = basename(p);
  const i = b.lastIndexOf(".");
  return i <= 0 ? "" : b.slice(i);
}

export function isAbsolute(p: string): boolean {
  return p.startsWith("/");
}

export function relative(from: string, to: string): string {
  const a = resolve(from).split("/").filter(Boolean);
  const b = resolve(to).split("/").filter(Boolean);
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return [...a.slice(i).map(() => ".."), ...b.slice(i)].join("/");
}

const path = { sep, delimiter, normalize, join, resolve, dirname, basename, extname, isAbsolute, relative };
export const posix = path;
export default { ...path, posix: path };
