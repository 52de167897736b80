import type { HookMatch } from "./hook.js";
import type { HookDefinitionBase } from "./hook-definition.js";

/** The core {@link HookMatch} of a definition (events, name globs, tags, scopes). */
export function hookMatchOf(def: Pick<HookDefinitionBase, "events" | "names" | "tags" | "scopes">): HookMatch {
  return {
    ...(def.events ? { events: def.events } : {}),
    ...(def.names ? { names: def.names } : {}),
    ...(def.tags ? { tags: def.tags } : {}),
    ...(def.scopes ? { scopes: def.scopes } : {}),
  };
}
