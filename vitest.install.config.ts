import { defineConfig } from "vitest/config";

// `pnpm test:install`: the published packages installed from a local registry (test/install/registry.test.ts).
// Kept out of `pnpm test` (vitest.config.ts) because it takes minutes: tsc emit, verdaccio, npm install.
export default defineConfig({
  test: {
    include: ["test/install/registry.test.ts"],
    testTimeout: 240_000,
    hookTimeout: 900_000,
  },
});
