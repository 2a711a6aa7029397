import { defineConfig } from "vitest/config";

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
