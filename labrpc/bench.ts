// `npm run bench`: simulated RPCs per wall second for the course's TestBenchmark workload
// (100,000 sequential Handler2 calls on a reliable network). --markdown, --json FILE: the
// table for BENCHMARKS.md (labs-test/tools/bench-report.ts).
import { parseArgs } from "node:util";
import { BenchReport, benchCommand, REPORT_OPTIONS } from "../labs-test/tools/bench-report.js";
import { RealClock } from "../runtime/real-clock.js";
import { runWorld } from "../runtime/world.js";
import { Network, Server, Service } from "./index.js";
import { JUNK_METHODS, JunkServer } from "./junk-server.js";

const N = 100_000;
const ROUNDS = 5;

async function once(): Promise<number> {
  return runWorld({ seed: 1 }, async () => {
    const net = new Network();
    const server = new Server();
    server.addService(new Service("JunkServer", new JunkServer(), JUNK_METHODS));
    net.addServer("server99", server);
    const e = net.makeEnd("end1-99");
    net.connect("end1-99", "server99");
    net.enable("end1-99", true);
    const wall = new RealClock();
    for (let i = 0; i < N; i++) {
      const r = await e.call<string>("JunkServer.Handler2", 111);
      if (!r.ok || r.reply !== "handler2-111") throw new Error(`wrong reply ${JSON.stringify(r)}`);
    }
    return wall.now();
  });
}

const { values: args } = parseArgs({ options: REPORT_OPTIONS });
const report = new BenchReport(
  {
    id: "labrpc",
    lab: "labrpc",
    caption: "The course's TestBenchmark workload: sequential calls on a reliable simulated network, several rounds in one process.",
    columns: ["calls per round", "rounds", "median s (wall)", "calls per wall second", "best s", "worst s"],
  },
  benchCommand("labrpc/bench.ts"),
);
const times: number[] = [];
for (let i = 0; i < ROUNDS; i++) times.push(await once());
times.sort((a, b) => a - b);
const median = times[Math.floor(ROUNDS / 2)]!;
console.log(`labrpc TestBenchmark workload: ${N} sequential calls, ${ROUNDS} rounds`);
console.log(`  median ${(median / 1000).toFixed(3)} s wall = ${Math.round((N / median) * 1000)} calls/s`);
console.log(`  best ${(times[0]! / 1000).toFixed(3)} s, worst ${(times[ROUNDS - 1]! / 1000).toFixed(3)} s`);
report.row([
  N,
  ROUNDS,
  (median / 1000).toFixed(3),
  Math.round((N / median) * 1000),
  (times[0]! / 1000).toFixed(3),
  (times[ROUNDS - 1]! / 1000).toFixed(3),
]);
report.finish(args);
