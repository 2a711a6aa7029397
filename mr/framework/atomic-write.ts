// Output appears all at once or not at all: write a temp file beside the target (same
// file system, so rename is atomic), then rename it over the target. The temp name
// starts with a dot so that no `mr-out*` or `mr-X-Y` pattern ever matches it.
import { randomBytes } from "node:crypto";
import { basename, dirname, join } from "node:path";
import { renameSync, rmSync, writeFileSync } from "node:fs";

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
