import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";
import { sandboxPlugin } from "./labs-test/sandbox/vite-plugin.js";

// make test-XX runs vitest with experimental.fsModuleCache (labs-test/tools/vitest-run.ts):
// transformed modules are kept on disk, keyed by a file's content and this config. A plugin
// whose output depends on anything else must define a cache key, or opt out of the cache.
export default defineConfig({
  // Student files load only inside the sandbox (labs-test/sandbox/): a test's import of
  // raft/raft.ts gets a stand-in module that runs the file in an SES compartment.
  plugins: [sandboxPlugin(import.meta.dirname)],
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
});
