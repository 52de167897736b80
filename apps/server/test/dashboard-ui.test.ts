import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerUnderTest, startServer } from "./server-process.js";

// The built bin serves the dashboard build copied into dist/ui at /ui/, with a strict CSP.

let server: ServerUnderTest;

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => server?.stop());

describe("/ui", () => {
  it("answers HEAD like GET, without a body (HEAD /ui/ was a 404)", async () => {
    const get = await server.request("GET", "/ui/");
    const head = await server.request("HEAD", "/ui/");
    expect(head.status).toBe(200);
    expect(head.text).toBe("");
    expect(head.headers.get("content-type")).toBe(get.headers.get("content-type"));
    expect(head.headers.get("content-security-policy")).toBe(get.headers.get("content-security-policy"));
    expect((await server.request("HEAD", "/ui/no-such-file.js")).status).toBe(404);
  });

  it("serves the dashboard shipped in dist/ui with a strict Content-Security-Policy", async () => {
    const page = await server.request("GET", "/ui/");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(page.text).toBe(readFileSync(new URL("../dist/ui/index.html", import.meta.url), "utf8"));
    const csp = page.headers.get("content-security-policy") ?? "";
    for (const directive of [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
      "form-action 'none'",
    ]) {
      expect(csp).toContain(directive);
    }
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).not.toMatch(/https?:/);
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    expect(page.headers.get("referrer-policy")).toBe("no-referrer");
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    expect(page.headers.get("cache-control")).toBe("no-cache");
  });

  it("has no inline script or style, and every asset it names is served from /ui", async () => {
    const html = (await server.request("GET", "/ui/")).text;
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc="\/ui\//);
      expect(body?.trim()).toBe("");
    }
    expect(html).not.toMatch(/<style\b/);
    expect(html).not.toMatch(/\sstyle=/);
    expect(html).not.toMatch(/\son[a-z]+=/);
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string);
    for (const asset of assets) {
      expect(asset).toMatch(/^\/ui\//);
      const res = await server.request("GET", asset);
      expect(res.status, asset).toBe(200);
      expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
      if (asset.endsWith(".js")) {
        expect(res.headers.get("content-type")).toMatch(/^text\/javascript/);
        expect(res.headers.get("cache-control")).toContain("immutable");
      }
      if (asset.endsWith(".css")) expect(res.headers.get("content-type")).toMatch(/^text\/css/);
    }
  });

  it("redirects /ui to /ui/ and answers unknown or escaping paths with a 404 problem", async () => {
    const redirect = await fetch(`${server.url}/ui`, { redirect: "manual" });
    expect(redirect.status).toBe(308);
    expect(redirect.headers.get("location")).toBe("/ui/");
    for (const path of ["/ui/nope.js", "/ui/assets/", "/ui/..%2Fpackage.json", "/ui/%2e%2e/%2e%2e/package.json"]) {
      const res = await server.request("GET", path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get("content-type"), path).toMatch(/^application\/problem\+json/);
    }
  });

  it("needs no token and stays out of the OpenAPI document", async () => {
    expect((await server.request("GET", "/ui/")).status).toBe(200);
    const doc = (await server.request("GET", "/openapi.json")).body;
    expect(Object.keys(doc.paths).filter((p) => p.startsWith("/ui"))).toEqual([]);
  });
});
