// mrworker [--socket path | --tcp host:port] app: runs tasks until the job is done.
import { Command } from "commander";
import { Worker } from "../worker.js";
import { loadApp } from "../framework/plugin.js";
import { coordinatorEndpoint, describeEndpoint, endpointFrom, setCoordinatorEndpoint } from "../transport/endpoint.js";
import { waitForCoordinator } from "../transport/client.js";
import { positiveInt, runProgram, UsageError } from "./cli.js";
import { noteActivity, WORKER_READY } from "../framework/activity.js";

runProgram("mrworker", async () => {
  const cmd = new Command("mrworker")
    .description("run MapReduce tasks for the coordinator until the job is done")
    .argument("<app>", "app module, e.g. apps/wc.ts, build/apps/wc.js or just wc")
    .option("--socket <path>", "coordinator's unix socket (default: $MR_SOCKET, else 824-mr-<uid> in the temp dir)")
    .option("--tcp <[host:]port>", "dial the coordinator over TCP")
    .option("--wait <ms>", "how long to keep trying to reach the coordinator at start", "3000")
    .showHelpAfterError()
    .parse();
  const opts = cmd.opts<{ socket?: string; tcp?: string; wait: string }>();
  const [appSpec] = cmd.processedArgs as [string];
  const waitMs = positiveInt("--wait", opts.wait);
  setCoordinatorEndpoint(endpointFrom(opts));
  const app = await loadApp(appSpec);

  const err = await waitForCoordinator(waitMs);
  if (err !== undefined) {
    throw new UsageError(
      `no coordinator at ${describeEndpoint(coordinatorEndpoint())} after ${(waitMs / 1000).toFixed(1)} s (${err}); start mrcoordinator first`,
    );
  }
  noteActivity(WORKER_READY); // for the graded script's watch (mr/framework/activity.ts)
  await Worker(app.map, app.reduce);
});
