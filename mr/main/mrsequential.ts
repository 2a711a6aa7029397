// mrsequential app inputfiles...: the single-process reference; writes mr-out-0.
import { Command } from "commander";
import { loadApp } from "../framework/plugin.js";
import { expandInputs } from "../framework/inputs.js";
import { runSequential } from "../framework/sequential.js";
import { writeFileAtomic } from "../framework/atomic-write.js";
import { runProgram } from "./cli.js";

runProgram("mrsequential", async () => {
  const cmd = new Command("mrsequential")
    .description("run a MapReduce app in one process; the output goes to mr-out-0")
    .argument("<app>", "app module, e.g. apps/wc.ts, build/apps/wc.js or just wc")
    .argument("<inputfiles...>", "input files or glob patterns")
    .option("-o, --out <file>", "output file", "mr-out-0")
    .showHelpAfterError()
    .parse();
  const [appSpec, inputs] = cmd.processedArgs as [string, string[]];
  const { out } = cmd.opts<{ out: string }>();
  const files = await expandInputs(inputs);
  const app = await loadApp(appSpec);
  writeFileAtomic(out, await runSequential(app, files));
});
