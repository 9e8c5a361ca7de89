/** @module The page asset: the generated brotli copy matches dashboard/assets/, stays small, and the login page escapes. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { composePage, dashboardPage, loginPage, noticePage } from "./page.ts";

const assets = path.join(import.meta.dirname, "assets");
const read = (name: string): string => readFileSync(path.join(assets, name), "utf8");

describe("dashboardPage", () => {
  it("is dashboard/assets/ composed (run `node --import tsx scripts/dashboard-assets.ts` after editing them)", () => {
    expect(dashboardPage().html).toBe(composePage({ html: read("dashboard.html"), css: read("dashboard.css"), js: read("dashboard.js") }));
  });

  // The last-hour charts (inline SVG sparklines) took it from ~10 KB to ~13 KB of HTML.
  it("is small: under 14 KB of HTML, under 4.5 KB compressed in router.mjs", () => {
    const page = dashboardPage();
    expect(Buffer.byteLength(page.html)).toBeLessThan(14 * 1024);
    expect(page.brotli.length).toBeLessThan(4.5 * 1024);
    expect(page.gzip.length).toBeLessThan(5.5 * 1024);
  });

  it("hashes its one inline script for the CSP and is built once", () => {
    const page = dashboardPage();
    const scripts = [...page.html.matchAll(/<script>([\s\S]*?)<\/script>/g)];
    expect(scripts).toHaveLength(1);
    expect(page.scriptSha256).toBe(
      createHash("sha256")
        .update(scripts[0]?.[1] ?? "")
        .digest("base64"),
    );
    expect(dashboardPage()).toBe(page);
  });

  it("never uses innerHTML: config names are rendered as text", () => {
    expect(read("dashboard.js")).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
  });
});

describe("loginPage", () => {
  it("escapes the problem text and posts to /dashboard/login", () => {
    const html = loginPage(`<script>alert("x")</script>`);
    expect(html).not.toContain("<script>");
    expect(html).toContain("&#60;script&#62;");
    expect(html).toContain('action="/dashboard/login"');
    expect(noticePage("off")).not.toContain("<input");
  });
});
