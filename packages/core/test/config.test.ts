import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type CofferError, configuredProviders, loadConfig } from "../src/index.js";

function tmp(): string {
  return realpathSync(mkdtempSync(join(tmpdir(), "coffer-config-")));
}

function expectConfigError(fn: () => unknown, text: string) {
  try {
    fn();
    expect.unreachable();
  } catch (err) {
    expect((err as CofferError).code).toBe("CONFIG");
    expect((err as CofferError).message).toContain(text);
  }
}

describe("config loading", () => {
  it("defaults to local + env with local as the write target", () => {
    const home = tmp();
    const cwd = tmp();
    const { config, files, projectRoot } = loadConfig({ cwd, home, env: {} });
    expect(config.defaultProvider).toBe("local");
    expect(files).toEqual([]);
    expect(projectRoot).toBe(cwd);
    expect(configuredProviders(config).map((p) => [p.name, p.priority])).toEqual([
      ["local", 50],
      ["env", 10],
    ]);
  });

  it("merges user config under project config found by walking up, with env interpolation", () => {
    const home = tmp();
    const project = tmp();
    const nested = join(project, "a", "b");
    mkdirSync(nested, { recursive: true });
    writeFileSync(
      join(home, "config.yaml"),
      "historyLimit: 20\nproviders:\n  env:\n    prefix: MY_\n    priority: 5\n",
    );
    writeFileSync(
      join(project, "coffer.yaml"),
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Coffer's ${...} syntax, not a template
      "env: ${env:STAGE}\nproviders:\n  env:\n    priority: 7\nbranchMap:\n  main: prod\n",
    );
    const { config, files, projectRoot } = loadConfig({ cwd: nested, home, env: { STAGE: "staging" } });
    expect(projectRoot).toBe(project);
    expect(files).toEqual([join(home, "config.yaml"), join(project, "coffer.yaml")]);
    expect(config.env).toBe("staging");
    expect(config.historyLimit).toBe(20);
    expect(config.providers.env).toMatchObject({ prefix: "MY_", priority: 7 });
    expect(config.branchMap).toEqual({ main: "prod" });
  });

  it("applies COFFER_PROVIDER and rejects an unconfigured default provider", () => {
    const home = tmp();
    expect(loadConfig({ cwd: tmp(), home, env: { COFFER_PROVIDER: "env" } }).config.defaultProvider).toBe("env");
    expectConfigError(
      () => loadConfig({ cwd: tmp(), home, env: { COFFER_PROVIDER: "vault" } }),
      'default provider "vault" is not configured',
    );
  });

  it("lists valid keys for an unknown key and valid kinds for an unknown provider", () => {
    const home = tmp();
    const cwd = tmp();
    writeFileSync(join(cwd, "coffer.yaml"), "defaultProvder: local\n");
    expectConfigError(
      () => loadConfig({ cwd, home, env: {} }),
      'unknown key "defaultProvder"; valid keys are: defaultProvider, providers',
    );
    writeFileSync(join(cwd, "coffer.yaml"), "providers:\n  hashicorp: {}\n");
    expectConfigError(
      () => loadConfig({ cwd, home, env: {} }),
      'unknown provider kind "hashicorp"; valid kinds are: local, env, aws-secrets-manager, azure-keyvault',
    );
  });

  it("reports invalid YAML, wrong types and missing env references as CONFIG errors", () => {
    const home = tmp();
    const cwd = tmp();
    writeFileSync(join(cwd, "coffer.yaml"), "providers: [unclosed\n");
    expectConfigError(() => loadConfig({ cwd, home, env: {} }), "invalid YAML");
    writeFileSync(join(cwd, "coffer.yaml"), "historyLimit: lots\n");
    expectConfigError(() => loadConfig({ cwd, home, env: {} }), '"historyLimit" must be a number');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Coffer's ${...} syntax, not a template
    writeFileSync(join(cwd, "coffer.yaml"), "env: ${env:NOPE}\n");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Coffer's ${...} syntax, not a template
    expectConfigError(() => loadConfig({ cwd, home, env: {} }), "refers to ${env:NOPE}, which is not set");
    writeFileSync(join(cwd, "coffer.yaml"), "naming:\n  rule: strictest\n");
    expectConfigError(() => loadConfig({ cwd, home, env: {} }), '"naming.rule" must be one of: default, env');
  });

  it("supports named provider instances with a kind and disabling with enabled: false", () => {
    const home = tmp();
    const cwd = tmp();
    writeFileSync(
      join(cwd, "coffer.yaml"),
      "providers:\n  env:\n    enabled: false\n  aws-prod:\n    kind: aws-secrets-manager\n    region: eu-west-1\n",
    );
    const providers = configuredProviders(loadConfig({ cwd, home, env: {} }).config);
    expect(providers.map((p) => [p.name, p.kind, p.priority])).toEqual([
      ["local", "local", 50],
      ["aws-prod", "aws-secrets-manager", 90],
    ]);
    expect(providers[1]!.options).toEqual({ region: "eu-west-1" });
  });
});
