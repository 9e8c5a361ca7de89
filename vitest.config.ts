import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/src/**/*.test.ts", "policies/src/**/*.test.ts", "test/**/*.test.ts"],
    // The registry install test takes minutes: `pnpm test:install` runs it (vitest.install.config.ts).
    exclude: ["**/node_modules/**", "test/bench/**/*.bench.ts", "test/install/registry.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    typecheck: {
      enabled: true,
      include: ["packages/*/src/**/*.test-d.ts", "test/**/*.test-d.ts"],
      tsconfig: "./tsconfig.json",
    },
  },
});
