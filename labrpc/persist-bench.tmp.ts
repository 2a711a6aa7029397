import { encode } from "./codec.js";
import { processCpuMs } from "../runtime/real-clock.js";
type E = { term: number; command: unknown };
function entry(i: number): E {
  return { term: 1 + (i >> 8), command: { op: i % 3 === 0 ? "Get" : "Put", key: `k${i % 7}`, value: `x ${i} y`, clientId: 1234567890123 + (i % 5), seq: i } };
}
for (const N of [500, 2000]) {
  let log: E[] = [{ term: 0, command: null }];
  for (let i = 1; i < N; i++) log.push(entry(i));
  const t0 = processCpuMs();
  let bytes = 0;
  const R = 2000;
  for (let r = 0; r < R; r++) {
    log = log.slice(0, log.length).concat([entry(N + r)]);
    bytes += encode({ term: 5, votedFor: 1, snapIndex: 0, log }).length;
  }
  const ms = processCpuMs() - t0;
  console.log(`N=${N}: ${(ms * 1e6 / R / (N + R / 2)).toFixed(1)} ns per entry per persist, ${(ms / R * 1000).toFixed(1)} us per persist, ${bytes}`);
}
{
  const N = 2000;
  let log: E[] = [{ term: 0, command: null }];
  for (let i = 1; i < N; i++) log.push(entry(i));
  const t0 = processCpuMs();
  const R = 2000; let x = 0;
  for (let r = 0; r < R; r++) { log = log.slice(0, log.length).concat([entry(N + r)]); x += log.length; }
  const ms = processCpuMs() - t0;
  console.log(`slice+concat only: ${(ms / R * 1000).toFixed(1)} us per persist ${x}`);
}
