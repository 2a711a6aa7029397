// The trace of a Raft that calls no trace function (reference/silent-raft), run under the
// real harness: roles, terms, RPCs, persists, Start() calls and applies all come from the
// framework. A reference test: the silent Raft is a working minimal Raft, not for handouts.
import { expect, test } from "vitest";
import { VIS_TEST_OUT as OUT } from "../../labs-test/vis/page-driver.js";
import { BAND_CUT, BAND_ROLE, buildTimeline } from "../../labs-test/vis/timeline-model.js";
import { SILENT_RAFT } from "./silent-raft/raft.js";
import { failingSilent } from "./timeline-runs.js";

test("a Raft that traces nothing still has roles, terms, RPCs, persists and applies in its trace", async () => {
  const run = await failingSilent(SILENT_RAFT, OUT);
  const events = run.world.tracer.events();
  const kinds = new Set(events.map((e) => e.ev));
  for (const k of ["state", "rpc", "deliver", "reply", "applied", "persist", "link", "server", "start-call"]) {
    expect(kinds, `framework event ${k}`).toContain(k);
  }
  for (const k of ["role", "commit", "apply"]) expect(kinds, `only our reference emits ${k}`).not.toContain(k);
  const leaders = events.filter((e) => e.ev === "state" && e.role === "leader");
  expect(leaders.length).toBeGreaterThan(0);
  expect(typeof leaders[0]!.term).toBe("number");
  const methods = new Set(events.filter((e) => e.ev === "rpc").map((e) => e.m));
  expect(methods).toEqual(new Set(["Raft.RequestVote", "Raft.AppendEntries"]));
  const applied = events.filter((e) => e.ev === "applied").map((e) => `${e.peer}:${e.index}:${e.cmd}`);
  for (const p of [0, 1, 2]) expect(applied).toContain(`${p}:1:11`);
  const m = buildTimeline([...events], { failure: run.failure });
  expect(m.lanes).toEqual(["tester", "S0", "S1", "S2"]);
  expect(m.peerLanes).toBe(3);
  expect(m.bands.label.filter((l, j) => m.bands.kind[j] === BAND_ROLE && l.startsWith("leader t"))).not.toEqual([]);
  expect(m.bands.kind).toContain(BAND_CUT);
  expect(run.page).toMatch(/FailingSilent-seed3\.html$/);
});

