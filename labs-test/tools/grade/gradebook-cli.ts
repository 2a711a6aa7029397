// `make gradebook IN='out/class-shard-*' OUT=dir`: join the OUT folders of make grade-class
// SHARD=i/n runs into one folder of students and one gradebook.csv.
//
// Exit status: 0 every student of the roster has a final grade, 1 some are missing or
// unfinished (listed; the gradebook is still written), 2 the folders do not belong together.
import { existsSync } from "node:fs";
import path from "node:path";
import { Command } from "commander";
import { globSync } from "glob";
import { fail } from "./cli-options.js";
import { mergeClass } from "./class-merge.js";
import { ClassError } from "./grade-class.js";

const cmd = new Command("gradebook")
  .description("join make grade-class shard folders into one gradebook")
  .requiredOption("--out <dir>", "where the students' folders and gradebook.csv go")
  .argument("<dirs...>", "the shards' OUT folders (globs are expanded)")
  .showHelpAfterError()
  .parse();
const out = path.resolve(cmd.opts<{ out: string }>().out);
const dirs = cmd.args.flatMap((a) => {
  const hits = globSync(a).sort();
  if (hits.length === 0 && !existsSync(a)) fail(`${a}: no such folder`);
  return hits.length > 0 ? hits : [a];
});
try {
  const m = mergeClass(dirs, out);
  process.stdout.write(`gradebook: ${path.join(out, "gradebook.csv")} (${m.rows.length} student(s) from ${dirs.length} folder(s))\n`);
  if (m.missing.length > 0) process.stderr.write(`missing (no shard graded them): ${m.missing.join(", ")}\n`);
  if (m.unfinished.length > 0) process.stderr.write(`not finished (run their shard again; it resumes): ${m.unfinished.join(", ")}\n`);
  process.exit(m.missing.length + m.unfinished.length > 0 ? 1 : 0);
} catch (e) {
  if (e instanceof ClassError) fail(e.message);
  throw e;
}
