/** @module eslint.config — the repository's lint: typescript-eslint's type-aware rules over every source tree. */
// Type-aware rules need the TypeScript program, so the parser uses the project service (the same tsconfig.json that
// `pnpm typecheck` uses). The few .mjs/.js files outside tsconfig.json (scripts, the bin shims, the dashboard's browser
// script) are checked through the service's default project, which is why they are listed in allowDefaultProject.
import { defineConfig, globalIgnores } from "eslint/config";
import tseslint from "typescript-eslint";

/** What `pnpm lint` (`eslint .`) and test/lint/lint.test.ts check: the source trees and vitest.config.ts. */
const lintedFiles = [
  "packages/*/src/**/*.{ts,js,mjs}",
  "packages/*/bin/**/*.{ts,mjs}",
  "policies/src/**/*.ts",
  "test/**/*.{ts,mjs}",
  "scripts/**/*.{ts,mjs}",
  "examples/**/*.ts",
  "vitest.config.ts",
];

export default defineConfig(
  // Generated code is regenerated, not edited; fixtures are deliberately broken inputs for the compiler's tests.
  globalIgnores([
    "**/node_modules/**",
    "**/dist/**",
    ".tmp/**",
    "coverage/**",
    "test/bench/.work/**",
    "**/*.generated.ts",
    "test/fixtures/**",
    "**/fixtures/**",
  ]),
  {
    files: lintedFiles,
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: {
        projectService: {
          allowDefaultProject: ["scripts/*.mjs", "packages/*/bin/*.mjs", "packages/router/src/dashboard/assets/*.js", "test/soak/*.mjs"],
          // Ten such files (typescript-eslint warns past eight: each is a program of its own, but small).
          maximumDefaultProjectFileMatchCount_THIS_WILL_SLOW_DOWN_LINTING: 16,
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    plugins: { "@typescript-eslint": tseslint.plugin },
    rules: {
      // A promise nobody awaits or catches turns a rejection into a process-wide unhandledRejection.
      "@typescript-eslint/no-floating-promises": "error",
      // An async callback where void is expected (an event listener, a forEach) loses its rejection the same way.
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/await-thenable": "error",
      // The DSL's enums grow; a switch over one must say what it does with the new member.
      "@typescript-eslint/switch-exhaustiveness-check": "error",
      // Type-only imports say so (`import type`), which verbatimModuleSyntax then erases. `typeof import("…")` stays
      // allowed: it types a module that is loaded with require() (CommonJS whose exports ESM cannot see) or with a
      // lazy `await import()`, where a top-level import line would misstate when the module loads.
      "@typescript-eslint/consistent-type-imports": ["error", { disallowTypeAnnotations: false }],
    },
  },
);
