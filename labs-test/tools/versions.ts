import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

/** Versions recorded beside results: Node, this project, and the test tools. */
export function toolVersions(root: string): Record<string, string> {
  const req = createRequire(path.join(root, "package.json"));
  const version = (pkg: string): string => {
    try {
      const file = req.resolve(`${pkg}/package.json`);
      return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
    } catch {
      return "unknown";
    }
  };
  const own = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { version?: string };
  return { node: process.version, "labs-ts": own.version ?? "unknown", tsx: version("tsx"), typescript: version("typescript") };
}
