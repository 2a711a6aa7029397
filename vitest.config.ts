import { defineConfig } from "vitest/config";

// make test-XX runs vitest with experimental.fsModuleCache (labs-test/tools/vitest-run.ts):
// transformed modules are kept on disk, keyed by a file's content and this config. A plugin
// whose output depends on anything else must define a cache key, or opt out of the cache.
export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", "build/**", "handout/**"],
    // Graded tests police their own (virtual) 120 s limit and a 10 min wall limit that
    // prints the seed (labs-test/harness/run-graded.ts); this only catches a wedged process.
    testTimeout: 900_000,
    hookTimeout: 60_000,
    pool: "forks",
    reporters: ["default"],
  },
});
