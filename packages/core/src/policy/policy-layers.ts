import { join } from "node:path";
import { USER_CONFIG_FILE } from "../config/load.js";
import type { LoadedConfig } from "../config/types.js";
import type { PolicyLayerInput } from "./governed-policy-engine.js";

/**
 * The policy layers of a loaded configuration: the user config (`config.yaml` in the Coffer
 * home) first, then the project config (`coffer.yaml`). Each is read before merging, so the
 * project can narrow but never widen what the user config allows.
 */
export function policyLayersOf(
  loaded: Pick<LoadedConfig, "userConfig" | "projectConfig" | "files" | "home">,
): PolicyLayerInput[] {
  const userFile = join(loaded.home, USER_CONFIG_FILE);
  const projectFile = loaded.files.find((f) => f !== userFile) ?? "coffer.yaml";
  return [
    { source: "user", file: loaded.files.includes(userFile) ? userFile : USER_CONFIG_FILE, config: loaded.userConfig },
    { source: "project", file: projectFile, config: loaded.projectConfig },
  ];
}
