// A Gradescope autograder zip (make autograder; see autograder-cli.ts).
// Gradescope unpacks the zip into /autograder/source, runs setup.sh once to build its
// image, then run_autograder per submission, which must leave
// /autograder/results/results.json. The zip holds this project's source (tests,
// harness, framework, lockfile) without any student file or `reference/` folder, so no
// solution of ours ships, and the two scripts at its root, stored executable (mode 0755):
// Gradescope runs them as ./setup.sh and ./run_autograder. setup.sh installs only the
// packages grading needs (the lockfile's dependencies, not its devDependencies).
import { mkdirSync } from "node:fs";
import path from "node:path";
import AdmZip from "adm-zip";
import { frameworkFiles } from "./tree.js";

/** The Node.js release setup.sh installs when the image has none (or an older one). */
const NODE_VERSION = "20.20.2";

export function setupScript(): string {
  return `#!/usr/bin/env bash
# Gradescope runs this once, as root, in /autograder/source: Node.js ${NODE_VERSION.split(".")[0]}+ and the
# packages grading needs, pinned by package-lock.json (npm ci without the devDependencies:
# the timeline pages' browser driver and the like).
set -euo pipefail
cd "$(dirname "$0")"
need_node() {
  ! command -v node >/dev/null 2>&1 || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]
}
if need_node; then
  apt-get update -y && apt-get install -y --no-install-recommends ca-certificates curl xz-utils
  arch=$(uname -m); case "$arch" in x86_64) arch=x64;; aarch64) arch=arm64;; esac
  curl -fsSL "https://nodejs.org/dist/v${NODE_VERSION}/node-v${NODE_VERSION}-linux-$arch.tar.xz" | tar -xJ -C /usr/local --strip-components=1
fi
node --version
npm ci --omit=dev --no-audit --no-fund
`;
}

export function runScript(parts: string[], count: number): string {
  return `#!/usr/bin/env bash
# Gradescope runs this per submission. AUTOGRADER_ROOT points it at another folder laid
# out like /autograder (submission/, results/, source/) for a dry run. Extra arguments
# go to the grader (e.g. --workers 1).
set -uo pipefail
ROOT="\${AUTOGRADER_ROOT:-/autograder}"
cd "$ROOT/source" || exit 1
mkdir -p "$ROOT/results"
rm -f "$ROOT/results/results.json"
node --import tsx labs-test/tools/grade/grade-cli.ts \\
  --submission "$ROOT/submission" --parts ${parts.join(",")} --count ${count} --out "$ROOT/results" "$@"
status=$?
if [ ! -s "$ROOT/results/results.json" ]; then
  # The grader itself failed: still leave a valid (zero) result that says so.
  printf '{"score":0,"output":"the autograder failed (status %s); please tell the course staff","tests":[]}\\n' "$status" > "$ROOT/results/results.json"
fi
exit 0
`;
}

/** Write the zip; returns its path. */
export function buildAutograderZip(root: string, outDir: string, parts: string[], count: number): string {
  // No solution ships: no student file of any part, no helper of ours, no reference/ folder.
  const zip = new AdmZip();
  for (const f of frameworkFiles(root)) {
    zip.addLocalFile(path.join(root, f), path.dirname(f) === "." ? "" : path.dirname(f));
  }
  // adm-zip takes the permission bits alone and marks the entry a regular Unix file.
  zip.addFile("setup.sh", Buffer.from(setupScript()), "", 0o755);
  zip.addFile("run_autograder", Buffer.from(runScript(parts, count)), "", 0o755);
  mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, "autograder.zip");
  zip.writeZip(file);
  return file;
}
