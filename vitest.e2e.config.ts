import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Browser journeys (npm run test:e2e): the production build served by server.js over a seeded demo database,
// driven by Debian's Chromium through playwright-core. Unit and integration tests are in vitest.config.ts.
export default defineConfig({
  resolve: {
    alias: { "~": fileURLToPath(new URL("./app", import.meta.url)) },
  },
  test: {
    include: ["test/e2e/**/*.e2e.ts"],
    globalSetup: ["test/e2e/support/global-setup.ts"],
    // One server for the run, one browser per file, one file at a time.
    pool: "forks",
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 20_000,
  },
});
