import { closeSync, existsSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { CofferError } from "@coffer/core";
import type { CommandHandler } from "../cli/command-spec.js";
import { booleanFlag } from "../cli/flag-values.js";

/** The file `coffer init` writes: every setting with a comment, safe defaults, no values. */
export const COFFER_YAML_TEMPLATE = `# coffer.yaml: Coffer's project configuration (see docs/configuration.md).
# Commit this file; never put secret values in it. Settings may refer to environment
# variables as \${env:NAME}.

# Provider that writes go to (coffer set, import, rotate, generate --save).
defaultProvider: local

# Providers, read in priority order (higher first); the first that has a secret answers.
# Disable an inherited provider with "name: null".
providers:
  # Encrypted SQLite store in $COFFER_HOME. Master key: COFFER_MASTER_KEY, else a 0600 key file.
  local:
    priority: 50
  # Read-only: secrets from COFFER_SECRET_* environment variables (api-key -> COFFER_SECRET_API_KEY).
  env:
    priority: 10
  # aws-secrets-manager:
  #   region: us-east-1
  #   priority: 90
  # azure-keyvault:
  #   vaultUrl: https://my-vault.vault.azure.net
  #   priority: 100

# Secret names: "default" ([A-Za-z_][A-Za-z0-9_./-]*) or "env" ([A-Z][A-Z0-9_]*, names are env vars).
naming:
  rule: default

# Env state used when neither --env nor COFFER_ENV is given, and git branch -> env mapping.
# env: dev
# branchMap:
#   main: prod
#   "release/*": staging

# Versions kept per secret; days a deleted secret stays restorable; days a rotated-out version stays valid.
historyLimit: 10
recoveryWindowDays: 7
rotationGraceDays: 30

# Reads: "fallthrough" skips a failing provider, "strict" fails on any provider error.
chainPolicy: fallthrough

# Audit log of every access (kept in the local store, hash-chained: coffer audit --verify).
audit:
  enabled: true
`;

/** `coffer init`: write a commented coffer.yaml in the current directory. */
export const initCommand: CommandHandler = async (ctx, args) => {
  const path = join(ctx.cwd, "coffer.yaml");
  const force = booleanFlag(args, "force");
  if (existsSync(path) && !force) {
    throw new CofferError("ALREADY_EXISTS", `${path} already exists`, {
      field: "path",
      hint: "pass --force to overwrite it",
    });
  }
  let fd: number;
  try {
    fd = openSync(path, force ? "w" : "wx", 0o600);
  } catch (err) {
    throw new CofferError(
      "PERMISSION_DENIED",
      `cannot write ${path} (${(err as NodeJS.ErrnoException).code ?? "error"})`,
      {
        field: "path",
      },
    );
  }
  try {
    writeSync(fd, COFFER_YAML_TEMPLATE);
  } finally {
    closeSync(fd);
  }
  return {
    data: { path },
    lines: [
      `${ctx.style.green("✓")} Wrote ${path}`,
      "  Next: coffer set NAME (value from a hidden prompt), then coffer run -- <command>",
    ],
  };
};
