import { defineConfig } from "vitest/config";
import { vitestSettings } from "./labs-test/tools/vitest-settings.js";

// The settings live in labs-test/tools/vitest-settings.ts, which make test-XX's runner
// passes to vitest inline. make test-XX runs vitest with experimental.fsModuleCache
// (labs-test/tools/vitest-run.ts): transformed modules are kept on disk, keyed by a file's
// content and the settings. A plugin whose output depends on anything else must define a
// cache key, or opt out of the cache.
export default defineConfig(vitestSettings(import.meta.dirname));
