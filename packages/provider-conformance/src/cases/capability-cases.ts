import { SCOPE_KINDS } from "@coffer/core";
import { describeResult } from "../coffer-error-expectations.js";
import type { ConformanceCase } from "../conformance-case.js";
import { supportedWhen } from "../conformance-case.js";
import { ConformanceViolation } from "../conformance-violation.js";
import { METHOD_OF_CAPABILITY, type MethodCapability, verifyMethodUnsupported } from "../unsupported-expectations.js";

const BOOLEAN_CAPABILITIES = [
  "write",
  "delete",
  "softDelete",
  "purge",
  "list",
  "versions",
  "conditionalWrite",
  "binary",
  "metadata",
  "envs",
  "remote",
] as const;

/** Capabilities are well formed and truthful: every declared method exists, every denied one is absent or UNSUPPORTED. */
export const capabilitiesCase: ConformanceCase = {
  name: "capabilities",
  title: "capability flags are well formed and match the methods",
  async run(ctx) {
    const { provider } = ctx;
    if (typeof provider.name !== "string" || provider.name.length === 0) {
      throw new ConformanceViolation(`provider.name is ${describeResult(provider.name)}, expected a non-empty string`);
    }
    if (typeof provider.kind !== "string" || provider.kind.length === 0) {
      throw new ConformanceViolation(`provider.kind is ${describeResult(provider.kind)}, expected a non-empty string`);
    }
    if (typeof provider.get !== "function") throw new ConformanceViolation("provider.get is missing");
    const caps = provider.capabilities;
    if (caps === null || typeof caps !== "object") {
      throw new ConformanceViolation(`provider.capabilities is ${describeResult(caps)}, expected an object`);
    }
    for (const flag of BOOLEAN_CAPABILITIES) {
      if (typeof caps[flag] !== "boolean") {
        throw new ConformanceViolation(`capabilities.${flag} is ${describeResult(caps[flag])}, expected true or false`);
      }
    }
    if (!Array.isArray(caps.scopes) || !caps.scopes.includes("global")) {
      throw new ConformanceViolation(`capabilities.scopes is ${describeResult(caps.scopes)}; it must list "global"`);
    }
    for (const kind of caps.scopes) {
      if (!(SCOPE_KINDS as readonly string[]).includes(kind)) {
        throw new ConformanceViolation(`capabilities.scopes lists ${JSON.stringify(kind)}, which is not a scope kind`);
      }
    }
    if (new Set(caps.scopes).size !== caps.scopes.length) {
      throw new ConformanceViolation("capabilities.scopes lists a scope kind twice");
    }
    if (caps.softDelete && !caps.delete) {
      throw new ConformanceViolation("capabilities.softDelete is true but capabilities.delete is false");
    }
    if (caps.conditionalWrite && !caps.write) {
      throw new ConformanceViolation("capabilities.conditionalWrite is true but capabilities.write is false");
    }
    for (const optional of ["getMany", "health", "dispose"] as const) {
      const method = provider[optional];
      if (method !== undefined && typeof method !== "function") {
        throw new ConformanceViolation(
          `provider.${optional} is ${describeResult(method)}, expected a function or absent`,
        );
      }
    }
    for (const capability of Object.keys(METHOD_OF_CAPABILITY) as MethodCapability[]) {
      const method = METHOD_OF_CAPABILITY[capability];
      if (caps[capability]) {
        if (typeof provider[method] !== "function") {
          throw new ConformanceViolation(`capabilities.${capability} is true but provider.${method} is missing`);
        }
      } else {
        await verifyMethodUnsupported(ctx, capability);
      }
    }
  },
};

/** `health` answers ok. */
export const healthCase: ConformanceCase = {
  name: "health",
  title: "health reports ok",
  support: (ctx) =>
    supportedWhen(typeof ctx.provider.health === "function", "provider.health is present", "provider.health is absent"),
  async run(ctx) {
    const health = await ctx.provider.health!();
    if (health === null || typeof health !== "object" || health.ok !== true) {
      throw new ConformanceViolation(`health returned ${describeResult(health)}, expected { ok: true }`);
    }
    if (health.message !== undefined && typeof health.message !== "string") {
      throw new ConformanceViolation(
        `health message is ${describeResult(health.message)}, expected a string or absent`,
      );
    }
    if (health.latencyMs !== undefined && !(Number.isFinite(health.latencyMs) && health.latencyMs >= 0)) {
      throw new ConformanceViolation(`health latencyMs is ${describeResult(health.latencyMs)}, expected a number >= 0`);
    }
  },
};
