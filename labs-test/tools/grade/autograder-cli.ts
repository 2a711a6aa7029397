// `make autograder [OUT=dir] [PARTS=2A,…] [COUNT=n]`: writes OUT/autograder.zip.
import path from "node:path";
import { Command } from "commander";
import { z } from "zod";
import { findPart } from "../../labs.js";
import { buildAutograderZip } from "./autograder-zip.js";

async function main(): Promise<void> {
  const cmd = new Command("autograder")
    .requiredOption("--out <dir>", "folder for autograder.zip")
    .requiredOption("--parts <list>", "parts graded, e.g. 2A,2B,2C,2D")
    .requiredOption("--count <n>", "runs per test")
    .parse();
  const o = cmd.opts<{ out: string; parts: string; count: string }>();
  const parts = o.parts.split(",").map((s) => s.trim()).filter(Boolean);
  for (const id of parts) {
    if (findPart(id)?.studentFiles.length ?? 0) continue;
    process.stderr.write(`error: PARTS names ${JSON.stringify(id)}, which is not a graded part\n`);
    process.exit(2);
  }
  const count = z.coerce.number().int().min(1).max(1000).safeParse(o.count);
  if (!count.success) {
    process.stderr.write(`error: COUNT=${o.count} must be an integer from 1 to 1000\n`);
    process.exit(2);
  }
  const root = path.resolve(import.meta.dirname, "../../..");
  const file = buildAutograderZip(root, o.out, parts.map((p) => findPart(p)!.id), count.data);
  process.stdout.write(`wrote ${file} (parts ${parts.join(",")}, ${count.data} run(s) per test)\n`);
}

await main();
