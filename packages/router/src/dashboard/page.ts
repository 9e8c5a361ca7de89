/**
 * @module The control panel's one page: plain HTML, CSS and JS from `assets/` (no framework), shipped
 * brotli-compressed inside router.mjs and unpacked, gzipped and hashed only when the page is first opened.
 */
import { createHash } from "node:crypto";
import { brotliDecompressSync, gzipSync } from "node:zlib";
import { PAGE_BROTLI_BASE64 } from "./page-asset.generated.ts";

/** A page body ready to send in each encoding, with an ETag and the hash of its inline script (for the CSP). */
export interface PageAsset {
  html: string;
  brotli: Buffer;
  gzip: Buffer;
  etag: string;
  scriptSha256: string;
}

/** Put the stylesheet and the script into the page skeleton (what scripts/dashboard-assets.ts compresses). */
export function composePage(sources: { html: string; css: string; js: string }): string {
  return sources.html.replace("/*CSS*/", () => sources.css).replace("/*JS*/", () => sources.js);
}

let built: PageAsset | undefined;

/** The control panel page, built on first request only. */
export function dashboardPage(): PageAsset {
  if (built === undefined) {
    const brotli = Buffer.from(PAGE_BROTLI_BASE64, "base64");
    const html = brotliDecompressSync(brotli).toString("utf8");
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? "";
    built = {
      html,
      brotli,
      gzip: gzipSync(html),
      etag: `"${createHash("sha256").update(html).digest("base64url").slice(0, 16)}"`,
      scriptSha256: createHash("sha256").update(script).digest("base64"),
    };
  }
  return built;
}

const LOGIN_CSS =
  "body{font:14px system-ui,sans-serif;background:#111827;color:#f9fafb;display:grid;place-items:center;height:100vh;margin:0}form{background:#1f2937;padding:24px;border-radius:8px;display:grid;gap:10px;width:320px}input,button{font:inherit;padding:7px;border-radius:4px;border:1px solid #4b5563}button{background:#2e6be6;color:#fff;border:0;cursor:pointer}.err{color:#fda29b;margin:0}h1{font-size:18px;margin:0 0 6px}";

/** The sign-in form shown (with status 401) to a browser without a session. `problem` is shown above the field. */
export function loginPage(problem?: string): string {
  const note = problem === undefined ? "" : `<p class="err" role="alert">${escapeHtml(problem)}</p>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Switchyard · sign in</title><link rel="icon" href="data:,"><style>${LOGIN_CSS}</style></head><body><form method="post" action="/dashboard/login"><h1>Switchyard control panel</h1>${note}<input type="text" name="username" value="admin" autocomplete="username" hidden><label for="token">Admin token</label><input id="token" name="token" type="password" autocomplete="current-password" required autofocus><button type="submit">Sign in</button></form></body></html>`;
}

/** A page telling the operator why the panel is unavailable (no form). */
export function noticePage(message: string): string {
  return loginPage(message).replace(/<input[\s\S]*<\/button>/, "");
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
