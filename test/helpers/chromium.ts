/** @module Debian's Chromium for browser tests: install it when missing, launch it headless through playwright-core. */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { type Browser, type BrowserContext, chromium } from "playwright-core";

/** Where Debian's `chromium` package puts the browser. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** Screenshots and other artefacts tests leave behind (gitignored). */
export const ARTIFACTS_DIR = path.resolve(".tmp/artifacts");

/** Flags that keep a headless run quiet, offline and deterministic on a shared machine. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-quic",
  "--no-first-run",
  "--disable-component-update",
  "--disable-sync",
] as const;

export interface EnsureChromiumOptions {
  /** Upper bound for `apt-get update` + `apt-get install`, ms. Default 240 000. */
  timeoutMs?: number;
  /** Where to look (tests may point elsewhere). Default /usr/bin/chromium. */
  executablePath?: string;
}

/**
 * Return the Chromium executable path, installing Debian's `chromium` with apt-get when it is
 * missing (a fresh machine has no browser; we run as root). Throws one readable message when the
 * install fails or times out, naming the command to run by hand.
 *
 * @example
 * beforeAll(() => { executablePath = ensureChromium(); }, 300_000);
 */
export function ensureChromium(options: EnsureChromiumOptions = {}): string {
  const executable = options.executablePath ?? CHROMIUM_PATH;
  if (existsSync(executable)) return executable;
  const deadline = Date.now() + (options.timeoutMs ?? 240_000);
  const run = (args: string[]): void => {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`Chromium install timed out; install it by hand: apt-get update && apt-get install -y --no-install-recommends chromium`);
    const result = spawnSync("apt-get", args, {
      encoding: "utf8",
      timeout: left,
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 64 * 1024 * 1024,
    });
    if (result.error !== undefined || result.status !== 0) {
      const why =
        result.error !== undefined ? result.error.message : `exit ${String(result.status)}: ${result.stderr.trim().split("\n").slice(-3).join(" | ")}`;
      throw new Error(
        `Chromium is not installed at ${executable} and \`apt-get ${args.join(" ")}\` failed (${why}); install it by hand: apt-get update && apt-get install -y --no-install-recommends chromium`,
      );
    }
  };
  // Another apt run (a parallel test, unattended upgrades) holds the dpkg lock: wait for it rather than fail.
  const lock = ["-o", "DPkg::Lock::Timeout=120"];
  run([...lock, "update"]);
  run([...lock, "install", "-y", "--no-install-recommends", "chromium"]);
  if (!existsSync(executable)) throw new Error(`apt-get installed chromium but ${executable} does not exist`);
  return executable;
}

export interface HeadlessChromium {
  browser: Browser;
  /** A fresh context (own cookies and storage) at a laptop-sized viewport, 1280×800 by default. */
  newContext(options?: { width?: number; height?: number }): Promise<BrowserContext>;
  close(): Promise<void>;
}

/**
 * Launch headless Chromium (installing it first if needed). playwright-core gives every launch a
 * fresh temporary user-data dir and removes it on close, so no profile state leaks between runs.
 */
export async function launchChromium(): Promise<HeadlessChromium> {
  const executablePath = ensureChromium();
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const browser = await chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_ARGS], timeout: 60_000 });
  return {
    browser,
    newContext: (size = {}) => browser.newContext({ viewport: { width: size.width ?? 1280, height: size.height ?? 800 } }),
    close: () => browser.close().catch(() => undefined),
  };
}
