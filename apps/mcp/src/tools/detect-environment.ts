import * as z from "zod";
import { defineTool } from "../tool-definition.js";

/** `detect_environment`: which env state reads and injections use, and why. */
export const detectEnvironmentTool = defineTool({
  name: "detect_environment",
  title: "Detect environment",
  description:
    "[secrets] Tell which env state (dev, staging, prod, or the default state) reads and exec_with_secrets use when no env is given, and why: " +
    "an explicit env argument, COFFER_ENV, the project's coffer.yaml, or the git branch map. Read-only.",
  annotations: {
    title: "Detect environment",
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  },
  input: {
    env: z
      .string()
      .optional()
      .describe("An env you intend to pass explicitly, to check it is valid and see the result."),
  },
  async run(args, { coffer }) {
    const detected = await coffer.detectEnvironment(args.env);
    const lines = [`env: ${detected.env ?? "default"}`, `source: ${detected.source}`, `reason: ${detected.reason}`];
    if (detected.branch) lines.push(`branch: ${detected.branch}`);
    return lines.join("\n");
  },
});
