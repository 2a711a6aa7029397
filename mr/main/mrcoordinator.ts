// mrcoordinator [--nreduce n] [--socket path | --tcp [host:]port] inputfiles...
// Serves the job, polls done() once a second, and exits a second after it is true.
import { Command } from "commander";
import { RealClock } from "../../runtime/real-clock.js";
import { MakeCoordinator } from "../coordinator.js";
import { endpointFrom, setCoordinatorEndpoint } from "../transport/endpoint.js";
import { expandInputs } from "../framework/inputs.js";
import { positiveInt, runProgram, UsageError } from "./cli.js";

runProgram("mrcoordinator", async () => {
  const cmd = new Command("mrcoordinator")
    .description("coordinate a MapReduce job: one map task per input file")
    .argument("<inputfiles...>", "input files or glob patterns")
    .option("-n, --nreduce <n>", "number of reduce tasks", "10")
    .option("--socket <path>", "unix socket to listen on (default: $MR_SOCKET, else 824-mr-<uid> in the temp dir)")
    .option("--tcp <[host:]port>", "listen on TCP instead, for workers on other machines")
    .showHelpAfterError()
    .parse();
  const opts = cmd.opts<{ nreduce: string; socket?: string; tcp?: string }>();
  const nReduce = positiveInt("nReduce", opts.nreduce);
  const [inputs] = cmd.processedArgs as [string[]];
  if (inputs.length === 0) throw new UsageError("Usage: mrcoordinator inputfiles...");
  const files = await expandInputs(inputs);
  setCoordinatorEndpoint(endpointFrom(opts));

  const c = await MakeCoordinator(files, nReduce);
  const clock = new RealClock();
  while (!c.done()) await clock.sleep(1000);
  // Let workers still asking for work hear "exit" before the socket goes.
  await clock.sleep(1000);
  await c.server?.close();
  const failure = c.failure();
  if (failure !== undefined) throw new UsageError(`job failed: ${failure}`);
});
