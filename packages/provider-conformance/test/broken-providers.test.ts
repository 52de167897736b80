import { CofferError, type Provider, type SecretAddress, type SecretWrite } from "@coffer/core";
import { describe, expect, it } from "vitest";
import { type CaseOutcome, runConformanceCase } from "../src/conformance-case.js";
import { conformanceCase } from "../src/conformance-cases.js";
import { CONFORMANCE_CASE_NAMES, type ConformanceCaseName, type ConformanceSubject } from "../src/index.js";
import { resolveConformanceOptions } from "../src/resolved-options.js";
import { memoryProvider, readOnlyMemoryProvider } from "./memory-provider.js";

function run(
  name: ConformanceCaseName,
  subject: Provider | ConformanceSubject,
  skip: string[] = [],
): Promise<CaseOutcome> {
  const resolved = resolveConformanceOptions({ skip, listPageSize: 10 });
  return runConformanceCase(conformanceCase(name), "provider" in subject ? subject : { provider: subject }, resolved);
}

/** A correct provider with some of its methods replaced. */
function brokenProvider(override: (base: Provider) => Partial<Provider>): Provider {
  const base = memoryProvider();
  return { ...base, ...override(base) };
}

describe("the suite passes a correct provider", () => {
  it.each(CONFORMANCE_CASE_NAMES)("%s", async (name) => {
    await expect(run(name, memoryProvider())).resolves.toEqual({ status: "passed" });
  });
});

describe("the suite fails a broken provider", () => {
  it("get-missing fails a provider that returns null for a missing secret", async () => {
    const provider = brokenProvider((base) => ({
      get: (address, options) => base.get(address, options).catch(() => null as never),
    }));
    await expect(run("get-missing", provider)).rejects.toThrow(
      /get of a missing secret: expected CofferError NOT_FOUND, but it succeeded and returned null/,
    );
  });

  it("get-missing fails a provider that reports a missing secret as UNAVAILABLE", async () => {
    const provider = brokenProvider((base) => ({
      get: (address, options) =>
        base.get(address, options).catch(() => Promise.reject(new CofferError("UNAVAILABLE", "backend said no"))),
    }));
    await expect(run("get-missing", provider)).rejects.toThrow(
      /expected CofferError NOT_FOUND, got CofferError UNAVAILABLE/,
    );
  });

  it("get-missing fails a provider that throws a plain Error", async () => {
    const provider = brokenProvider((base) => ({
      get: (address, options) => base.get(address, options).catch(() => Promise.reject(new Error("ENOENT"))),
    }));
    await expect(run("get-missing", provider)).rejects.toThrow(/got Error \("ENOENT"\), not a CofferError/);
  });

  it("get-current fails a provider that reports the wrong provider name", async () => {
    const provider = brokenProvider((base) => ({
      get: async (address, options) => ({ ...(await base.get(address, options)), provider: "someone-else" }),
    }));
    await expect(run("get-current", provider)).rejects.toThrow(
      /provider is "someone-else", expected the provider name "memory"/,
    );
  });

  it("get-current fails a provider whose set result carries the value", async () => {
    const provider = brokenProvider((base) => ({
      set: async (address, write, options) =>
        ({ ...(await base.set!(address, write, options)), value: write.value }) as never,
    }));
    await expect(run("get-current", provider)).rejects.toThrow(/carries a value field/);
  });

  it("update fails a provider that loses an update", async () => {
    const provider = brokenProvider((base) => ({
      set: async (address, write, options) => {
        try {
          const { value: _kept, ...current } = await base.get(address);
          return { ...current, version: current.version + 1 };
        } catch {
          return base.set!(address, write, options);
        }
      },
    }));
    await expect(run("update", provider)).rejects.toThrow(
      /get after an update: the value differs|version is 1, expected 2/,
    );
  });

  it("read-version fails a provider that always returns the current value", async () => {
    const provider = brokenProvider((base) => ({
      get: async (address, options) => {
        const current = await base.get(address);
        return options?.version === undefined ? current : { ...current, version: options.version };
      },
    }));
    await expect(run("read-version", provider)).rejects.toThrow(/get of version 1: the value differs/);
  });

  it("history fails a provider that lists versions oldest first", async () => {
    const provider = brokenProvider((base) => ({
      history: async (address) => (await base.history!(address)).reverse(),
    }));
    await expect(run("history", provider)).rejects.toThrow(/versions are \[1,2,3\], expected \[3,2,1\]/);
  });

  it("conditional-write fails a provider that ignores ifVersion", async () => {
    const provider = brokenProvider((base) => ({
      set: (address, write, options) => base.set!(address, write, { ...options, ifVersion: undefined }),
    }));
    await expect(run("conditional-write", provider)).rejects.toThrow(
      /set with ifVersion 2 when the current version is 1: expected CofferError CONFLICT, but it succeeded/,
    );
  });

  it("conditional-write fails a provider whose CONFLICT message contains the value", async () => {
    const provider = brokenProvider((base) => ({
      set: (address, write, options) =>
        base.set!(address, write, options).catch((err: CofferError) =>
          Promise.reject(new CofferError(err.code, `${err.message} while writing ${write.value}`)),
        ),
    }));
    await expect(run("conditional-write", provider)).rejects.toThrow(/exposes a secret value/);
  });

  it("concurrency fails a provider that checks ifVersion and writes in two steps", async () => {
    const provider = brokenProvider((base) => ({
      set: async (address: SecretAddress, write: SecretWrite, options) => {
        if (options?.ifVersion === undefined) return base.set!(address, write, options);
        const current = await base.get(address).then(
          (secret) => secret.version,
          () => 0,
        );
        if (current !== options.ifVersion) throw new CofferError("CONFLICT", "version mismatch");
        await new Promise((resolve) => setTimeout(resolve, 5));
        return base.set!(address, write, { ...options, ifVersion: undefined });
      },
    }));
    await expect(run("concurrency", provider)).rejects.toThrow(/8 of 8 parallel writers with ifVersion 1 succeeded/);
  });

  it("delete fails a provider whose list still shows deleted secrets", async () => {
    const provider = brokenProvider((base) => ({
      list: (query) => base.list!({ ...query, includeDeleted: true }),
    }));
    await expect(run("delete", provider)).rejects.toThrow(/list still shows a deleted secret/);
  });

  it("delete fails a provider that hides soft-deleted secrets from includeDeleted", async () => {
    const provider = brokenProvider((base) => ({
      list: (query) => base.list!({ ...query, includeDeleted: false }),
    }));
    await expect(run("delete", provider)).rejects.toThrow(/includeDeleted does not show a soft-deleted secret/);
  });

  it("reuse-deleted fails a provider that refuses to write a soft-deleted name", async () => {
    const deleted = new Set<string>();
    const provider = brokenProvider((base) => ({
      delete: async (ref, options) => {
        deleted.add(ref.name);
        return base.delete!(ref, options);
      },
      set: async (address, write, options) => {
        if (deleted.has(address.name)) throw new CofferError("CONFLICT", "deleted; restore or purge it first");
        return base.set!(address, write, options);
      },
    }));
    await expect(run("reuse-deleted", provider)).rejects.toThrow(
      /set on a soft-deleted secret failed with CofferError CONFLICT; it must start the secret live again/,
    );
  });

  it("reuse-deleted fails a provider that restores every deleted state on a write", async () => {
    const provider = brokenProvider((base) => ({
      set: async (address, write, options) => {
        await base.restore!({ name: address.name, scope: address.scope }).catch(() => undefined);
        return base.set!(address, write, options);
      },
    }));
    await expect(run("reuse-deleted", provider)).rejects.toThrow(/replacedDeleted|another env state/);
  });

  it("restore fails a provider that brings back only the latest version", async () => {
    const lastValues = new Map<string, string>();
    const provider = brokenProvider((base) => ({
      set: async (address, write, options) => {
        const meta = await base.set!(address, write, options);
        lastValues.set(address.name, write.value);
        return meta;
      },
      restore: async (ref) => {
        await base.purge!(ref);
        await base.set!({ name: ref.name, scope: ref.scope }, { value: lastValues.get(ref.name) ?? "" });
        return { versionsRestored: 1 };
      },
    }));
    await expect(run("restore", provider)).rejects.toThrow(/get after restore: version is 1, expected 2/);
  });

  it("purge fails a provider whose purge only soft-deletes", async () => {
    const provider = brokenProvider((base) => ({
      purge: async (ref) => {
        const outcome = await base.delete!(ref).catch(() => ({ versionsDeleted: 1 }));
        return { versionsDeleted: outcome.versionsDeleted };
      },
    }));
    await expect(run("purge", provider)).rejects.toThrow(
      /restore after .*purge: expected CofferError NOT_FOUND, but it succeeded/,
    );
  });

  it("list-paging fails a provider that ignores the cursor", async () => {
    const provider = brokenProvider((base) => ({
      list: (query) => base.list!({ ...query, cursor: undefined }),
    }));
    await expect(run("list-paging", provider)).rejects.toThrow(/cursor it had already returned/);
  });

  it("list-paging fails a provider that drops the last page", async () => {
    const provider = brokenProvider((base) => ({
      list: async (query) => {
        const page = await base.list!(query);
        return query?.cursor === undefined ? page : { items: [] };
      },
    }));
    await expect(run("list-paging", provider)).rejects.toThrow(/missed 95 of 105 secrets/);
  });

  it("list-paging fails a provider whose list items carry values", async () => {
    const provider = brokenProvider((base) => ({
      list: async (query) => {
        const page = await base.list!(query);
        return { ...page, items: page.items.map((item) => ({ ...item, value: "leaked" })) };
      },
    }));
    await expect(run("list-paging", provider)).rejects.toThrow(/carries a value field/);
  });

  it("metadata fails a provider that drops tags", async () => {
    const provider = brokenProvider((base) => ({
      get: async (address, options) => ({ ...(await base.get(address, options)), tags: undefined }),
    }));
    await expect(run("metadata", provider)).rejects.toThrow(/get of a secret with metadata: tags is undefined/);
  });

  it("binary fails a provider that stores base64 values as text", async () => {
    const provider = brokenProvider((base) => ({
      set: (address, write, options) =>
        base.set!(address, { ...write, value: Buffer.from(write.value, "base64").toString("utf8") }, options),
    }));
    await expect(run("binary", provider)).rejects.toThrow(/the bytes differ/);
  });

  it("envs fails a provider that answers an unknown env with the default state", async () => {
    const provider = brokenProvider((base) => ({
      get: (address, options) =>
        base.get(address, options).catch(() => base.get({ ...address, env: undefined }, options)),
    }));
    await expect(run("envs", provider)).rejects.toThrow(/never written \(it must not fall back to the default state\)/);
  });

  it("scopes fails a provider that ignores the scope", async () => {
    const provider = brokenProvider((base) => ({
      get: (address, options) => base.get({ ...address, scope: { kind: "global" } }, options),
      set: (address, write, options) => base.set!({ ...address, scope: { kind: "global" } }, write, options),
    }));
    await expect(run("scopes", provider)).rejects.toThrow(/get in the global scope of a project-scoped secret/);
  });

  it("scopes fails a provider that silently stores secrets of a scope kind it does not declare", async () => {
    const base = memoryProvider();
    const provider: Provider = { ...base, capabilities: { ...base.capabilities, scopes: ["global"] } };
    await expect(run("scopes", provider)).rejects.toThrow(
      /capabilities.scopes lacks project, so a write to a project scope must throw UNSUPPORTED/,
    );
  });

  it("get-many fails a provider whose results do not line up with the addresses", async () => {
    const provider = brokenProvider((base) => ({
      getMany: async (addresses) => {
        const results = await base.getMany!(addresses);
        return [...results.filter((r) => r.ok), ...results.filter((r) => !r.ok)];
      },
    }));
    await expect(run("get-many", provider)).rejects.toThrow(
      /getMany result 1 \(missing secret\): expected \{ ok: false/,
    );
  });

  it("large-value fails a provider that truncates values at 32 KiB", async () => {
    const provider = brokenProvider((base) => ({
      set: (address, write, options) => base.set!(address, { ...write, value: write.value.slice(0, 32_768) }, options),
    }));
    await expect(run("large-value", provider)).rejects.toThrow(/the value has 32768 characters instead of 65536/);
  });

  it("capabilities fails a provider that declares softDelete without restore", async () => {
    const provider = brokenProvider(() => ({ restore: undefined }));
    await expect(run("capabilities", provider)).rejects.toThrow(
      /capabilities.softDelete is true but provider.restore is missing/,
    );
  });

  it("capabilities fails a read-only provider whose set still writes", async () => {
    const { provider, seed } = readOnlyMemoryProvider();
    const writable = memoryProvider();
    const leaky: Provider = { ...provider, set: (address, write, options) => writable.set!(address, write, options) };
    await expect(run("capabilities", { provider: leaky, seed })).rejects.toThrow(
      /capabilities.write is false, so provider.set must be absent or throw UNSUPPORTED/,
    );
  });

  it("the read cases fail a read-only provider without a seed hook", async () => {
    const { provider } = readOnlyMemoryProvider();
    await expect(run("get-current", provider)).rejects.toThrow(/must provide seed\(entries\)/);
  });

  it("health fails a provider that reports not ok", async () => {
    const provider = brokenProvider(() => ({ health: async () => ({ ok: false, message: "down" }) }));
    await expect(run("health", provider)).rejects.toThrow(/expected \{ ok: true \}/);
  });
});

describe("skipping cases", () => {
  it("rejects an unknown case name", () => {
    expect(() => resolveConformanceOptions({ skip: ["restor"] })).toThrow(/unknown case "restor"/);
  });

  it("fails a skipped case whose capability the provider claims", async () => {
    await expect(run("restore", memoryProvider(), ["restore"])).rejects.toThrow(
      /case "restore" is listed in skip, but capabilities.softDelete is true/,
    );
  });

  it("fails a skipped case that every provider must pass", async () => {
    await expect(run("get-missing", memoryProvider(), ["get-missing"])).rejects.toThrow(/every provider must pass it/);
  });

  it("accepts a skipped case the capabilities rule out, after checking the method is absent", async () => {
    const provider = memoryProvider({ capabilities: { softDelete: false } });
    await expect(run("restore", provider, ["restore"])).resolves.toEqual({
      status: "unsupported-verified",
      reason: "capabilities.softDelete is false",
    });
  });

  it("fails when a capability is false but its method still works", async () => {
    const full = memoryProvider();
    const provider: Provider = { ...full, capabilities: { ...full.capabilities, softDelete: false } };
    await expect(run("restore", provider, ["restore"])).rejects.toThrow(
      /capabilities.softDelete is false, so provider.restore must be absent or throw UNSUPPORTED/,
    );
  });

  it("a skipped large-value requires the provider to refuse 64 KiB with TOO_LARGE", async () => {
    await expect(run("large-value", memoryProvider(), ["large-value"])).rejects.toThrow(
      /a 64 KiB write must fail with TOO_LARGE/,
    );
    const small = brokenProvider((base) => ({
      set: (address, write, options) =>
        write.value.length > 32_768
          ? Promise.reject(new CofferError("TOO_LARGE", "values are limited to 32 KiB here"))
          : base.set!(address, write, options),
    }));
    await expect(run("large-value", small, ["large-value"])).resolves.toMatchObject({ status: "unsupported-verified" });
  });

  it("reports a case with nothing to check as not applicable, with the reason", async () => {
    const provider = memoryProvider({ capabilities: { conditionalWrite: false } });
    await expect(run("concurrency", provider)).resolves.toEqual({
      status: "not-applicable",
      reason: "capabilities.conditionalWrite is false",
    });
  });
});
