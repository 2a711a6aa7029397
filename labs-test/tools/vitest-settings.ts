// The project's vitest settings, in one place for both ways vitest starts: vitest.config.ts
// (npx vitest, make test) and make test-XX's runner, which passes them inline (vitest-run.ts
// VitestSession) rather than have vite bundle and load the config file at every run
// (about 0.2 CPU s).
import { availableParallelism } from "node:os";
import type { ViteUserConfig } from "vitest/config";
import { sandboxPlugin } from "../sandbox/vite-plugin.js";

/** The settings for the project at root (absolute). */
export function vitestSettings(root: string): ViteUserConfig & { test: NonNullable<ViteUserConfig["test"]> } {
  return {
    // Student files load only inside the sandbox (labs-test/sandbox/): a test's import of
    // raft/raft.ts gets a stand-in module that runs the file in an SES compartment.
    plugins: [sandboxPlugin(root)],
    test: {
      include: ["**/*.test.ts"],
      exclude: ["node_modules/**", "build/**", "handout/**"],
      // Graded tests police their own (virtual) 120 s limit and a 10 min wall limit that
      // prints the seed (labs-test/harness/run-graded.ts); this only catches a wedged process.
      testTimeout: 900_000,
      hookTimeout: 60_000,
      pool: "forks",
      // One test file per core, at least two: vitest's default leaves one core idle, and on a
      // 2-core machine ran every file one after another, while much of the suite waits on
      // real processes, a browser or the grader's workers rather than on a CPU.
      maxWorkers: Math.max(2, availableParallelism()),
      setupFiles: ["labs-test/sandbox/vitest-setup.ts"],
      reporters: ["default"],
    },
  };
}
