/** @module test/diff/fixture-repo — a temporary git repository with two commits of an acme routes.ts (and a user policy pack). */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const repoRoot = join(import.meta.dirname, "..", "..");

/** A user policy pack as a plain object (no imports), selected by prod as `./acme-policies.ts`. */
const PACK = `export default {
  id: "acme",
  description: "Acme house rules",
  policies: [
    {
      id: "acme/canary-start",
      description: "A canary starts small",
      rationale: "A bad model should reach few users before the guard can judge it",
      defaultSeverity: "error",
      messages: { high: "canary starts at {{step}} % (at most 10 %)" },
      defaultOptions: {},
      check(context) {
        for (const [id, route] of Object.entries(context.config.routes)) {
          const first = route.canary?.steps[0];
          if (first !== undefined && first > 10) context.report({ node: { kind: "route", id, path: ["canary", "steps", 0] }, messageId: "high", data: { step: first } });
        }
      },
    },
    {
      id: "acme/two-fallbacks",
      description: "Every route has at least two fallback steps",
      rationale: "One fallback is one outage away from none",
      defaultSeverity: "warning",
      messages: { short: "{{count}} fallback step(s); at least 2 expected" },
      defaultOptions: {},
      check(context) {
        for (const [id, route] of Object.entries(context.config.routes)) {
          if (route.fallback.length < 2) context.report({ node: { kind: "route", id, path: ["fallback"] }, messageId: "short", data: { count: route.fallback.length } });
        }
      },
    },
  ],
};
`;

/** `text` with `from` replaced by `to`; throws when `from` is not there (the fixture's source changed). */
export function replaceOnce(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`fixture edit: ${JSON.stringify(from)} not found`);
  return text.replace(from, to);
}

/** acme as committed first: support-faq falls back to [frontier] only; prod selects the user pack. */
export function firstVersion(): string {
  let text = readFileSync(join(repoRoot, "examples", "acme", "routes.ts"), "utf8");
  text = replaceOnce(text, `fallback: ["frontier", "llama-local"]`, `fallback: ["frontier"]`);
  text = replaceOnce(
    text,
    `prod: { production: true, policies: ["baseline", "eu-residency", "prod-safety"] }`,
    `prod: { production: true, policies: ["./acme-policies.ts"] }`,
  );
  return text;
}

/** The second commit: six kinds of edit. */
export function secondVersion(): string {
  let text = firstVersion();
  text = replaceOnce(text, `fallback: ["frontier"]`, `fallback: ["frontier", "llama-local"]`);
  text = replaceOnce(text, `steps: [5, 25, 100]`, `steps: [25, 50, 100]`);
  text = replaceOnce(text, `budget: { usd: 2000,`, `budget: { usd: 3000,`);
  text = replaceOnce(text, `{ model: "gpt-mini", weight: 70 }`, `{ model: "gpt-mini", weight: 60 }`);
  text = replaceOnce(
    text,
    `    "claude-next":`,
    `    "claude-haiku": { provider: "anthropic", name: "claude-haiku-4-5", context: 200_000, price: { input: 1, output: 5 }, owner: "platform" },\n    "claude-next":`,
  );
  text = replaceOnce(
    text,
    `    legal:   { keys: [secret("LEGAL_KEY")], routes: ["legal-review"], budget: { usd: 500, per: "month" }, limits: { rpm: 60, tpm: 200_000 } },\n`,
    "",
  );
  return text;
}

export interface FixtureRepo {
  dir: string;
  git(...args: string[]): string;
  remove(): void;
}

/** One commit: files to write (path relative to the repository → text), then `git commit -a`. */
export interface FixtureCommit {
  message: string;
  files: Record<string, string>;
}

/**
 * A temporary git repository (branch main) with `commits` in order, made with a clean git identity and config.
 *
 * @example const repo = createGitRepo([{ message: "acme", files: { "routes.ts": acme } }, { message: "pr", files: { "routes.ts": pr } }]);
 */
export function createGitRepo(commits: readonly FixtureCommit[], prefix = "switchyard-test-"): FixtureRepo {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const git = (...args: string[]): string =>
    execFileSync("git", args, {
      cwd: dir,
      encoding: "utf8",
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: "t",
        GIT_AUTHOR_EMAIL: "t@example.com",
        GIT_COMMITTER_NAME: "t",
        GIT_COMMITTER_EMAIL: "t@example.com",
        GIT_CONFIG_NOSYSTEM: "1",
        HOME: dir,
      },
    });
  git("init", "--quiet", "--initial-branch=main");
  for (const commit of commits) {
    for (const [file, text] of Object.entries(commit.files)) writeFileSync(join(dir, file), text);
    git("add", ".");
    git("commit", "--quiet", "-m", commit.message);
  }
  return { dir, git, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A git repo with routes.ts at HEAD~1 (firstVersion) and HEAD (secondVersion). */
export function createFixtureRepo(): FixtureRepo {
  return createGitRepo(
    [
      { message: "acme routes", files: { "routes.ts": firstVersion(), "acme-policies.ts": PACK } },
      { message: "more fallback, bigger canary, budget, weights, haiku, no legal team", files: { "routes.ts": secondVersion() } },
    ],
    "switchyard-diff-test-",
  );
}
