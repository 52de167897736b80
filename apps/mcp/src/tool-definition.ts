import type { Approvals, Coffer, HookRegistry } from "@coffer/core";
import type { ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";
import type * as z from "zod";

/** What every tool handler can use. Built once per server (stdio) or per session (HTTP). */
export interface ToolContext {
  /** The service, acting as the calling agent (every call is audited with this identity). */
  coffer: Coffer;
  /** The agent id calls are made and audited as. */
  agentId: string;
  /** Directory the server was launched in (default project path, exec working directory). */
  cwd: string;
  /** Human approvals (read by `approval_status`); absent without the local store. */
  approvals?: Approvals;
  /** Run-time hook registry (`list_hooks`, `register_hook`, `remove_hook`); absent without the local store. */
  hooks?: HookRegistry;
}

/** One MCP tool: its schema and description as the model sees them, and its handler. */
export interface ToolDefinition<Shape extends z.ZodRawShape = z.ZodRawShape> {
  /** Tool name (`set_secret`). */
  name: string;
  /** Short human title. */
  title: string;
  /** Description written for a model: when to use it, side effects, what it returns. */
  description: string;
  /** Truthful behaviour hints. */
  annotations: ToolAnnotations;
  /** Input fields; unknown fields are rejected. */
  input: Shape;
  /** Run the tool with validated arguments; returns the result text. Throws CofferError on failure. */
  run(args: z.output<z.ZodObject<Shape>>, context: ToolContext): Promise<string>;
}

/** Declare a tool with its argument types inferred from its input shape. */
export function defineTool<Shape extends z.ZodRawShape>(definition: ToolDefinition<Shape>): ToolDefinition {
  return definition as unknown as ToolDefinition;
}
