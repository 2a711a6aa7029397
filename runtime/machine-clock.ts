// The machine's monotonic clock in ms, the same in every process (CLOCK_MONOTONIC), for
// tools that put the marks of several processes on one timeline (the test loop's timing,
// labs-test/tools/timing.ts, and its benchmark). Not a clock for lab code or tests: they
// get time from the world's Clock (virtual, or RealClock under REALTIME=1).

/** Milliseconds (fractional) since an arbitrary point that every process on this machine shares. */
export function machineMs(): number {
  return Number(process.hrtime.bigint() / 1000n) / 1000;
}
