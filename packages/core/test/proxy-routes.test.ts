import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { validateConfigFile } from "../src/config/index.js";
import { CofferError } from "../src/errors/index.js";
import { matchProxyRoute, parseProxyConfig } from "../src/index.js";

const F = "coffer.yaml";

function configCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof CofferError ? `${err.code}:${err.message}` : `not-coffer:${String(err)}`;
  }
  return undefined;
}

describe("proxy.routes config", () => {
  it("parses the issue's example and names the route's references", () => {
    const { routes } = parseProxyConfig(
      { routes: [{ host: "api.OpenAI.com", headers: { Authorization: "Bearer {{ coffer://OPENAI_API_KEY }}" } }] },
      F,
    );
    expect(routes).toHaveLength(1);
    expect(routes[0]!.host).toBe("api.openai.com");
    expect(routes[0]!.secretReferences).toEqual(["coffer://OPENAI_API_KEY"]);
    expect(routes[0]!.references.Authorization![0]!.reference.name).toBe("OPENAI_API_KEY");
  });

  it("is accepted as a top-level key by the config loader", () => {
    const cfg = validateConfigFile({ proxy: { routes: [{ host: "*.example.com", headers: { "X-Key": "x" } }] } }, F);
    expect(cfg.proxy).toBeDefined();
  });

  it.each([
    [{ proxy: [] }, '"proxy" must be a mapping'],
    [{ proxy: { route: [] } }, 'unknown key "proxy.route"'],
    [{ proxy: { routes: {} } }, '"proxy.routes" must be a list'],
    [{ proxy: { routes: ["api.example.com"] } }, '"proxy.routes[0]" must be a mapping'],
    [{ proxy: { routes: [{ headers: {} }] } }, '"proxy.routes[0].host" must be a host name'],
    [{ proxy: { routes: [{ host: "a b" }] } }, '"proxy.routes[0].host" must be a host or host:port'],
    [{ proxy: { routes: [{ host: "x".repeat(5000) }] } }, '"proxy.routes[0].host" may have at most'],
    [{ proxy: { routes: [{ host: "a", path: "/" }] } }, 'unknown key "proxy.routes[0].path"'],
    [{ proxy: { routes: [{ host: "a", headers: ["x"] }] } }, '"proxy.routes[0].headers" must be a mapping'],
    [{ proxy: { routes: [{ host: "a", headers: { "Bad Name": "x" } }] } }, "not a valid token"],
    [{ proxy: { routes: [{ host: "a", headers: { A: 1 } }] } }, '"proxy.routes[0].headers.A" must be a string'],
    [{ proxy: { routes: [{ host: "a", headers: { A: "x\r\nB: y" } }] } }, "must not contain line breaks"],
    [{ proxy: { routes: [{ host: "a", headers: { A: "{{ coffer://?x }}" } }] } }, "holds an invalid reference"],
  ])("rejects %j with a coded CONFIG error", (raw, message) => {
    const got = configCode(() => validateConfigFile(raw, F));
    expect(got).toMatch(/^CONFIG:/);
    expect(got).toContain(message);
  });

  it("never echoes a header value in an error", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 12, maxLength: 40 }), (v) => {
        const sentinel = `SENTINEL${v}`;
        const got = configCode(() =>
          parseProxyConfig({ routes: [{ host: "a", headers: { A: `${sentinel}\n{{ coffer://?bad }}` } }] }, F),
        );
        expect(got).toBeDefined();
        expect(got).not.toContain(sentinel);
      }),
      { numRuns: 50 },
    );
  });
});

describe("matchProxyRoute", () => {
  const { routes } = parseProxyConfig(
    {
      routes: [
        { host: "api.example.com", headers: { A: "1" } },
        { host: "*.internal:8443", headers: { B: "2" } },
        { host: "127.0.0.1:9000", headers: { C: "3" } },
      ],
    },
    F,
  );
  it("matches a bare host on any port, case-insensitively, trailing dot ignored", () => {
    expect(matchProxyRoute(routes, "API.example.com", 443)?.headers).toEqual({ A: "1" });
    expect(matchProxyRoute(routes, "api.example.com.", 8080)?.headers).toEqual({ A: "1" });
  });
  it("matches host:port patterns only on that port", () => {
    expect(matchProxyRoute(routes, "db.internal", 8443)?.headers).toEqual({ B: "2" });
    expect(matchProxyRoute(routes, "db.internal", 443)).toBeUndefined();
    expect(matchProxyRoute(routes, "127.0.0.1", 9000)?.headers).toEqual({ C: "3" });
    expect(matchProxyRoute(routes, "127.0.0.1", 9001)).toBeUndefined();
  });
  it("does not match look-alike hosts", () => {
    expect(matchProxyRoute(routes, "api.example.com.evil.test", 443)).toBeUndefined();
    expect(matchProxyRoute(routes, "evilapi.example.com", 443)).toBeUndefined();
  });
});
