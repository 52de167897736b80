import type { CommandSpec, OptionSpec } from "./cli/command-spec.js";

const provider: OptionSpec = {
  type: "string",
  value: "P",
  description: "provider (local, env, aws-secrets-manager, azure-keyvault)",
};
const scope: OptionSpec = {
  type: "string",
  value: "S",
  description: "scope: global, project, user, team:ID, org:ID, agent:ID, plugin:ID (reads cascade without it)",
};
const env: OptionSpec = {
  type: "string",
  value: "E",
  description: "env state (dev, staging, prod); default: detected",
};
const tags: OptionSpec = { type: "string", value: "a,b", description: "comma-separated tags" };
const confirm: Record<string, OptionSpec> = {
  confirm: { type: "boolean", description: "skip the confirmation prompt" },
  yes: { type: "boolean", short: "y", description: "same as --confirm" },
};
const writeAttributes: Record<string, OptionSpec> = {
  provider,
  scope,
  env,
  expires: { type: "string", value: "WHEN", description: "hard expiry: 30d, 24h or a date (2025-12-31)" },
  ttl: {
    type: "string",
    value: "SECONDS",
    description: "decay window: stale at 75%, expired after (30d also accepted)",
  },
  tags,
  description: { type: "string", value: "TEXT", description: "description (at most 1024 bytes)" },
  "rotation-format": { type: "string", value: "F", description: "format used when rotating without a value" },
  "rotation-prefix": { type: "string", value: "P", description: "prefix used when rotating with api-key/token" },
  "write-only": { type: "boolean", description: "value can be injected but never read back" },
};

const name = { name: "name", required: true, secretName: true };

/** Every command of `coffer`, in help order. Handlers load on first use. */
export const COMMANDS: CommandSpec[] = [
  {
    name: "get",
    summary: "show a secret (value masked except its last 3 characters)",
    positionals: [name],
    options: {
      provider,
      version: { type: "string", value: "N", description: "read this version (default: current)" },
      env,
      scope,
      required: { type: "boolean", description: "a missing secret is an error (exit 3), not a notice" },
      "show-full": { type: "boolean", description: "print the whole value (careful)" },
      plain: { type: "boolean", description: "print only the value, for $(coffer get NAME --plain)" },
      "allow-expired": { type: "boolean", description: "read a secret past its hard expiry" },
      purpose: { type: "string", value: "TEXT", description: "why the value is needed (audited)" },
    },
    examples: ["coffer get api-key-stripe", "coffer get DB_PASSWORD --env prod --plain"],
    load: async () => (await import("./commands/get.js")).getCommand,
  },
  {
    name: "set",
    summary: "store a secret (value from a hidden prompt, stdin, or the argument)",
    positionals: [name, { name: "value" }],
    options: {
      ...writeAttributes,
      "if-version": {
        type: "string",
        value: "N",
        description: "fail unless the current version is N (0: must not exist)",
      },
      generate: {
        type: "string",
        value: "FORMAT",
        description: "generate the value: api-key, token, password, hex, uuid, alphanumeric",
      },
      length: { type: "string", value: "N", description: "length of a generated value" },
      "from-json": { type: "boolean", description: 'read { "name", "plaintext_value", "description" } from stdin' },
    },
    examples: [
      "coffer set api-key-github",
      'echo "sk-..." | coffer set ANTHROPIC_API_KEY',
      "coffer set temp-token --generate token --expires 24h",
    ],
    load: async () => (await import("./commands/set.js")).setCommand,
  },
  {
    name: "list",
    aliases: ["ls"],
    summary: "list secrets (metadata only)",
    positionals: [],
    options: {
      pattern: { type: "string", value: "GLOB", description: "name pattern, e.g. 'api-key-*'" },
      provider,
      scope: { type: "string", value: "S", description: "only this scope kind" },
      tags: { type: "string", value: "a,b", description: "only secrets having all these tags" },
      env: { type: "string", value: "E", description: "only secrets with this env state" },
      "include-expired": { type: "boolean", description: "include hard-expired secrets" },
      "include-deleted": { type: "boolean", description: "include deleted (restorable) secrets" },
    },
    examples: ["coffer list --pattern 'api-key-*'", "coffer list --tags production --json"],
    load: async () => (await import("./commands/list.js")).listCommand,
  },
  {
    name: "rotate",
    summary: "replace a secret's value, keeping the old version valid for a grace period",
    positionals: [name, { name: "new-value" }],
    options: {
      generate: { type: "boolean", description: "generate the new value (the secret's rotation format, else token)" },
      format: { type: "string", value: "FORMAT", description: "format to generate with" },
      prefix: { type: "string", value: "P", description: "prefix to generate with" },
      provider,
      scope,
      env,
      "expire-old": { type: "boolean", description: "make the old version unreadable now" },
      grace: { type: "string", value: "DURATION", description: "how long the old version stays valid (default 30d)" },
    },
    examples: ["coffer rotate api-token --generate", "coffer rotate db-password --expire-old"],
    load: async () => (await import("./commands/rotate.js")).rotateCommand,
  },
  {
    name: "delete",
    summary: "delete a secret from every provider holding it (restorable unless --purge)",
    positionals: [name],
    options: { provider, scope, purge: { type: "boolean", description: "remove irrecoverably" }, ...confirm },
    examples: ["coffer delete old-api-key", "coffer delete obsolete-token --provider local --confirm"],
    load: async () => (await import("./commands/delete.js")).deleteCommand,
  },
  {
    name: "restore",
    summary: "restore a deleted secret",
    positionals: [name],
    options: { provider, scope },
    examples: ["coffer restore old-api-key"],
    load: async () => (await import("./commands/restore.js")).restoreCommand,
  },
  {
    name: "history",
    summary: "version history of a secret",
    positionals: [name],
    options: { provider, scope, env },
    examples: ["coffer history api-token"],
    load: async () => (await import("./commands/history.js")).historyCommand,
  },
  {
    name: "rollback",
    summary: "write an earlier version again as a new version",
    positionals: [name],
    options: {
      to: { type: "string", value: "N", description: "version to roll back to (required)" },
      provider,
      scope,
      env,
    },
    examples: ["coffer rollback api-token --to 2"],
    load: async () => (await import("./commands/rollback.js")).rollbackCommand,
  },
  {
    name: "inspect",
    summary: "all metadata of a secret: states per env, decay, versions, entanglement, access count",
    positionals: [name],
    options: { provider, scope },
    examples: ["coffer inspect api-key-stripe"],
    load: async () => (await import("./commands/inspect.js")).inspectCommand,
  },
  {
    name: "has",
    summary: "exit 0 when a secret exists (and is not expired), 1 otherwise",
    positionals: [name],
    options: { quiet: { type: "boolean", short: "q", description: "print nothing" }, provider, scope, env },
    examples: ["coffer has DATABASE_URL --quiet && echo configured"],
    load: async () => (await import("./commands/has.js")).hasCommand,
  },
  {
    name: "audit",
    summary: "access log (all secrets, or one), or verify the log's hash chain",
    positionals: [{ name: "name", secretName: true }],
    options: {
      limit: { type: "string", value: "N", description: "entries to show (default 50)" },
      "failed-only": { type: "boolean", description: "only failed attempts" },
      accessor: { type: "string", value: "ID", description: "only this accessor" },
      action: { type: "string", value: "A", description: "only this action (read, reveal, write, ...)" },
      since: { type: "string", value: "WHEN", description: "from this time (ISO 8601) or this long ago (7d)" },
      verify: { type: "boolean", description: "verify the audit chain instead of listing" },
    },
    examples: ["coffer audit api-key-stripe --limit 100", "coffer audit --failed-only", "coffer audit --verify"],
    load: async () => (await import("./commands/audit.js")).auditCommand,
  },
  {
    name: "health",
    summary: "provider status, fallback chain, expired and stale secrets",
    positionals: [],
    options: {},
    examples: ["coffer health"],
    load: async () => (await import("./commands/health.js")).healthCommand,
  },
  {
    name: "import",
    summary: "import a .env, JSON or YAML file, or an encrypted bundle from coffer export --encrypt",
    positionals: [{ name: "file", required: true }],
    options: {
      format: { type: "string", value: "F", description: "env, json or yaml (default: from the file)" },
      provider,
      scope,
      env,
      tags,
      "dry-run": { type: "boolean", description: "only report what would change" },
      "skip-existing": { type: "boolean", description: "leave existing secrets untouched" },
    },
    examples: [
      "coffer import .env.production --env prod",
      "coffer import secrets.json --dry-run",
      "coffer import backup.coffer",
    ],
    load: async () => (await import("./commands/import.js")).importCommand,
  },
  {
    name: "export",
    summary: "export metadata (values only with --include-values; --encrypt for a portable bundle)",
    positionals: [],
    options: {
      output: { type: "string", short: "o", value: "FILE", description: "write to FILE (mode 0600) instead of stdout" },
      format: { type: "string", value: "F", description: "json, yaml, csv or env (default json)" },
      "include-values": { type: "boolean", description: "include values (asks for confirmation)" },
      encrypt: { type: "boolean", description: "write a passphrase-encrypted bundle with values and metadata" },
      pattern: { type: "string", value: "GLOB", description: "only names matching" },
      tags: { type: "string", value: "a,b", description: "only secrets having all these tags" },
      scope: { type: "string", value: "S", description: "only this scope kind" },
      provider,
      force: { type: "boolean", description: "write values even into a file tracked by git" },
      ...confirm,
    },
    examples: [
      "coffer export --output secrets-metadata.json",
      "coffer export --encrypt --output backup.coffer",
      "coffer export --include-values --format env --output .env.local",
    ],
    load: async () => (await import("./commands/export.js")).exportCommand,
  },
  {
    name: "run",
    summary: "run a command with secrets as environment variables (values masked in its output)",
    positionals: [],
    commandLine: true,
    options: {
      env,
      scope,
      only: { type: "string", value: "A,B", description: "inject only these secrets" },
      tags: { type: "string", value: "a,b", description: "inject only secrets with these tags" },
      "no-redact": { type: "boolean", description: "do not mask values in the command's output" },
      timeout: {
        type: "string",
        value: "DURATION",
        description: "kill the command (and its process group) after this long",
      },
    },
    examples: [
      "coffer run -- npm start",
      "coffer run --only DATABASE_URL -- psql",
      "coffer run --env prod -- ./deploy.sh",
    ],
    load: async () => (await import("./commands/run.js")).runCommand,
  },
  {
    name: "generate",
    summary: "generate a random value (printed, or stored with --save and not printed)",
    positionals: [],
    options: {
      format: {
        type: "string",
        value: "F",
        description: "api-key, token, password, hex, uuid, alphanumeric (default token)",
      },
      length: { type: "string", value: "N", description: "length (characters; bytes for token and hex)" },
      prefix: { type: "string", value: "P", description: "prefix (api-key, token)" },
      save: { type: "string", value: "NAME", description: "store it under NAME instead of printing it" },
      provider,
      scope,
      env,
      tags,
    },
    examples: [
      "coffer generate --format password --length 32",
      "coffer generate --format api-key --prefix sk_live_ --save api-key-stripe",
    ],
    load: async () => (await import("./commands/generate.js")).generateCommand,
  },
  {
    name: "entangle",
    summary: "link two secrets so writing one writes the other",
    positionals: [name, { name: "other", required: true, secretName: true }],
    options: {},
    examples: ["coffer entangle DATABASE_URL database-url"],
    load: async () => (await import("./commands/entangle.js")).entangleCommand,
  },
  {
    name: "disentangle",
    summary: "remove a link made by entangle",
    positionals: [name, { name: "other", required: true, secretName: true }],
    options: {},
    examples: ["coffer disentangle DATABASE_URL database-url"],
    load: async () => (await import("./commands/entangle.js")).disentangleCommand,
  },
  {
    name: "env",
    summary: "the env state in force and why (COFFER_ENV, coffer.yaml, git branch)",
    positionals: [],
    options: { env: { type: "string", value: "E", description: "explicit env (as --env would give)" } },
    examples: ["coffer env"],
    load: async () => (await import("./commands/env.js")).envCommand,
  },
  {
    name: "key rotate",
    summary: "re-encrypt the local store under a new master key",
    positionals: [],
    options: {
      "new-key-file": { type: "string", value: "FILE", description: "read the new key from FILE" },
      generate: { type: "boolean", description: "generate a new random key into the key file" },
    },
    examples: ["coffer key rotate --generate", "coffer key rotate --new-key-file /secure/new.key"],
    load: async () => (await import("./commands/key-rotate.js")).keyRotateCommand,
  },
  {
    name: "init",
    summary: "write a commented coffer.yaml in the current directory",
    positionals: [],
    options: { force: { type: "boolean", description: "overwrite an existing coffer.yaml" } },
    examples: ["coffer init"],
    load: async () => (await import("./commands/init.js")).initCommand,
  },
  {
    name: "doctor",
    summary: "check the store, key file, configuration and every provider",
    positionals: [],
    options: {},
    examples: ["coffer doctor"],
    load: async () => (await import("./commands/doctor.js")).doctorCommand,
  },
  {
    name: "completion",
    summary: "print a shell completion script (bash, zsh, fish)",
    positionals: [{ name: "shell", required: true, choices: ["bash", "zsh", "fish"] }],
    options: {},
    examples: [
      "coffer completion bash > ~/.local/share/bash-completion/completions/coffer",
      "coffer completion zsh > ~/.zfunc/_coffer",
    ],
    load: async () => (await import("./commands/completion.js")).completionCommand,
  },
  {
    name: "token create",
    summary: "create an API token for coffer-server (shown once)",
    positionals: [{ name: "name", required: true }],
    options: {
      scopes: {
        type: "string",
        value: "a,b",
        description: "secrets:read, secrets:write, secrets:reveal, secrets:delete, audit:read, export, admin",
      },
      pattern: { type: "string", value: "GLOB", description: "secret names the token may touch" },
      expires: { type: "string", value: "DURATION", description: "lifetime (30d, 24h); default: never" },
    },
    examples: ["coffer token create ci-reader --scopes secrets:read --expires 30d"],
    load: async () => (await import("./commands/token.js")).tokenCreateCommand,
  },
  {
    name: "token list",
    aliases: ["token ls"],
    summary: "list API tokens (never the tokens themselves)",
    positionals: [],
    options: {},
    examples: ["coffer token list"],
    load: async () => (await import("./commands/token.js")).tokenListCommand,
  },
  {
    name: "token revoke",
    summary: "revoke an API token by name or id",
    positionals: [{ name: "name-or-id", required: true }],
    options: {},
    examples: ["coffer token revoke ci-reader"],
    load: async () => (await import("./commands/token.js")).tokenRevokeCommand,
  },
  {
    name: "secret set",
    summary: "alias: store a secret, value from stdin (echo v | coffer secret set NAME)",
    positionals: [name],
    options: { provider, scope, env, description: writeAttributes.description! },
    examples: ['echo "sk-ant-abc123" | coffer secret set ANTHROPIC_API_KEY'],
    load: async () => (await import("./commands/secret-alias.js")).secretSetCommand,
  },
  {
    name: "secret ls",
    aliases: ["secret list"],
    summary: "alias: list secret names, one per line",
    positionals: [],
    options: {},
    examples: ["coffer secret ls"],
    load: async () => (await import("./commands/secret-alias.js")).secretListCommand,
  },
  {
    name: "secret rm",
    aliases: ["secret delete"],
    summary: "alias: delete a secret (asks first; --confirm to skip)",
    positionals: [name],
    options: { provider, ...confirm },
    examples: ["coffer secret rm NPM_TOKEN --confirm"],
    load: async () => (await import("./commands/secret-alias.js")).secretRemoveCommand,
  },
  {
    name: "__complete",
    hidden: true,
    summary: "completion candidates for the words typed so far (used by completion scripts)",
    positionals: [],
    commandLine: true,
    options: {},
    load: async () => (await import("./commands/completion.js")).completeCommand,
  },
];

/** Top-level words that group subcommands. */
export const COMMAND_GROUPS = ["key", "token", "secret"];

/**
 * Find the command named by the first words of `argv`. Returns the spec and the remaining
 * arguments, or undefined.
 */
export function findCommand(argv: string[]): { spec: CommandSpec; rest: string[] } | undefined {
  const first = argv[0];
  if (first === undefined) return undefined;
  const byName = (words: string) => COMMANDS.find((c) => c.name === words || c.aliases?.includes(words));
  if (COMMAND_GROUPS.includes(first) && argv[1] !== undefined) {
    const spec = byName(`${first} ${argv[1]}`);
    if (spec) return { spec, rest: argv.slice(2) };
  }
  const spec = byName(first);
  return spec ? { spec, rest: argv.slice(1) } : undefined;
}
