// Messages between the playground's page and its worker (worker.ts). One run is one worker:
// the page starts a fresh one per run (a student's compartment and every world are gone
// with it), and terminates it to stop a run.
import type { GradedResult } from "../../labs-test/harness/run-graded.js";

/** Page → worker: type-check these files, or check them and run tests. */
export type ToWorker =
  | { type: "check"; files: Record<string, string>; parts: string[] }
  | {
      type: "run";
      /** Student files, repository-relative path → text. */
      files: Record<string, string>;
      /** Lab part ids, e.g. ["2A"]. */
      parts: string[];
      /** Go's -run (an unanchored regex over test names), as make test-XX RUN=. */
      run?: string;
      /** Graded tests only (as in-process.ts), or graded and extra (as make test-XX). */
      extra: boolean;
      /** Seeds seed..seed+count-1. */
      seed: number;
      count: number;
      /** The page's checker worker found no type errors in exactly these files: skip TypeScript here. */
      typesChecked: boolean;
      /** Timeline pages: for failing runs, every run, or none (VIS=). */
      vis: "fail" | "always" | "off";
    }
  | {
      /** Demo mode (instructor build): one test, paced, with the controls below. */
      type: "demo";
      files: Record<string, string>;
      part: string;
      test: string;
      seed: number;
      typesChecked: boolean;
      /** Virtual ms per wall ms; 0: as fast as it goes. */
      speed: number;
      paused: boolean;
      /** A recorded run's interventions, applied at their ticks (a replay). */
      replay: Intervention[];
    }
  | { type: "demo-pause" }
  | { type: "demo-resume"; speed: number }
  | { type: "demo-step"; virtualMs: number }
  | { type: "demo-intervene"; action: DemoAction; peer: number };

/** Demo mode's interventions: the harness's crash1, start1 + connect, disconnect, connect on one peer. */
export type DemoAction = "crash" | "restart" | "disconnect" | "connect";

/** One intervention as applied: at the run's tick-th simulator callback (virtual ms for people). */
export interface Intervention {
  tick: number;
  virtualMs: number;
  action: DemoAction;
  peer: number;
}

export interface Diagnostic {
  file: string;
  /** 1-based line and column. */
  line: number;
  col: number;
  message: string;
  /** "type" (TypeScript), "syntax", or "sandbox" (the static check's rules). */
  kind: "type" | "syntax" | "sandbox";
}

/** One run of one test, as the page shows it: runGraded()'s result and how to replay it. */
export type RunRecord = Pick<GradedResult, "name" | "part" | "seed" | "passed" | "virtualMs" | "wallMs" | "digest" | "error"> & {
  /** The replay command for the command line (make test-XX SEED=n RUN=name). */
  command: string;
  /** The run's timeline page (HTML), when VIS asked for one. */
  timeline?: string;
};

/** Worker → page. */
export type FromWorker =
  /** Its script is loaded and evaluated: it can take a run at once. */
  | { type: "ready" }
  | { type: "diagnostics"; diagnostics: Diagnostic[] }
  | { type: "output"; stream: "stdout" | "stderr"; text: string }
  | { type: "result"; record: RunRecord }
  | {
      /** Demo mode's state: sent a few times a wall second and on every change; timeline: the run so far. */
      type: "demo-state";
      virtualMs: number;
      paused: boolean;
      /** Peers of the test's Raft harness (0 before it begins). */
      peers: number;
      interventions: Intervention[];
      timeline?: string;
    }
  | {
      type: "done";
      passed: number;
      failed: number;
      wallMs: number;
      /** Wall ms of the run's phases: the worker's start (its script's load, from the page's new Worker()), the checks (types, sandbox rules), loading the tests and the student's files, the tests. */
      phases?: { scriptStartMs: number; scriptEvaluatedMs: number; startMs: number; checkMs: number; loadMs: number; testsMs: number };
      error?: string;
    };
