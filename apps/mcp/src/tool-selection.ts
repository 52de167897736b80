import { CofferError } from "@coffer/core";

/**
 * The `core` set: what an agent needs day to day to store, check, use and rotate secrets
 * without seeing them. Bulk, linking, audit, diagnostics and governance (hooks, expiry scan,
 * approval status) tools are in `all` only. They lead the listing order.
 */
const CORE_TOOLS = [
  "set_secret",
  "get_secret",
  "list_secrets",
  "has_secret",
  "inspect_secret",
  "delete_secret",
  "restore_secret",
  "rotate_secret",
  "generate_secret",
  "exec_with_secrets",
] as const;

/** Every tool this server can expose, in listing order: the core set, then the rest. */
export const ALL_TOOL_NAMES = [
  ...CORE_TOOLS,
  "import_dotenv",
  "export_secrets",
  "entangle_secrets",
  "disentangle_secrets",
  "detect_environment",
  "audit_log",
  "health_check",
  "vault_secret",
  "list_hooks",
  "register_hook",
  "remove_hook",
  "agent_scan",
  "approval_status",
] as const;

/** One tool name. */
export type ToolName = (typeof ALL_TOOL_NAMES)[number];

/** The `core` set (see {@link CORE_TOOLS}), in listing order. */
export const CORE_TOOL_NAMES: readonly ToolName[] = CORE_TOOLS;

/**
 * Parse a tool selection: `all`, `core`, or a comma list of tool names and `core`
 * (`core,audit_log`). Returns names in listing order.
 * @throws CofferError INVALID_ARGUMENT naming an unknown tool
 */
export function selectTools(spec: string | string[] | undefined): ToolName[] {
  if (spec === undefined) return [...ALL_TOOL_NAMES];
  const items = (Array.isArray(spec) ? spec : spec.split(","))
    .map((item) => (typeof item === "string" ? item.trim() : ""))
    .filter((item) => item.length > 0);
  if (items.length === 0) {
    throw new CofferError("INVALID_ARGUMENT", "tool selection is empty: use all, core, or a comma list of tool names", {
      field: "tools",
    });
  }
  const chosen = new Set<ToolName>();
  for (const item of items) {
    if (item === "all") for (const name of ALL_TOOL_NAMES) chosen.add(name);
    else if (item === "core") for (const name of CORE_TOOL_NAMES) chosen.add(name);
    else if ((ALL_TOOL_NAMES as readonly string[]).includes(item)) chosen.add(item as ToolName);
    else {
      throw new CofferError(
        "INVALID_ARGUMENT",
        `unknown tool ${JSON.stringify(item)}; known: all, core, ${ALL_TOOL_NAMES.join(", ")}`,
        {
          field: "tools",
        },
      );
    }
  }
  return ALL_TOOL_NAMES.filter((name) => chosen.has(name));
}
