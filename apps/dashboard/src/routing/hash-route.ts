import type { ScopeKind, ScopeRef } from "@coffer/core";

// Views are addressed by the URL fragment (`#/secrets`, `#/secret/api-stripe?scope=global`), so
// the server serves one page. A route holds names and filters, never a value or a token.

/** A view of the dashboard. */
export type Route =
  | { view: "secrets" }
  | { view: "new" }
  | { view: "secret"; name: string; scope: ScopeRef; provider?: string }
  | { view: "audit"; name?: string }
  | { view: "health" };

/** Parse `location.hash`. Unknown fragments show the secrets list. */
export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, "");
  const q = raw.indexOf("?");
  const path = q < 0 ? raw : raw.slice(0, q);
  const params = new URLSearchParams(q < 0 ? "" : raw.slice(q + 1));
  const parts = path.split("/").filter((p) => p.length > 0);
  const decode = (part: string) => {
    try {
      return decodeURIComponent(part);
    } catch {
      return undefined;
    }
  };
  if (parts[0] === "new") return { view: "new" };
  if (parts[0] === "audit") {
    const name = params.get("name") ?? undefined;
    return name ? { view: "audit", name } : { view: "audit" };
  }
  if (parts[0] === "health") return { view: "health" };
  if (parts[0] === "secret" && parts.length === 2) {
    const name = decode(parts[1] ?? "");
    if (name) {
      // Unchecked here: the server refuses an unknown scope kind, and the view shows that error.
      const kind = (params.get("scope") ?? "global") as ScopeKind;
      const id = params.get("id") ?? undefined;
      const provider = params.get("provider") ?? undefined;
      return {
        view: "secret",
        name,
        scope: id === undefined ? { kind } : { kind, id },
        ...(provider ? { provider } : {}),
      };
    }
  }
  return { view: "secrets" };
}

/** The fragment of a route (`#/secret/openai%2Fkey?scope=global`). */
export function routeHref(route: Route): string {
  switch (route.view) {
    case "secrets":
      return "#/secrets";
    case "new":
      return "#/new";
    case "health":
      return "#/health";
    case "audit":
      return route.name ? `#/audit?${new URLSearchParams({ name: route.name })}` : "#/audit";
    case "secret": {
      const params = new URLSearchParams({ scope: route.scope.kind });
      if (route.scope.id !== undefined) params.set("id", route.scope.id);
      if (route.provider) params.set("provider", route.provider);
      return `#/secret/${encodeURIComponent(route.name)}?${params}`;
    }
  }
}

/** Go to a route (adds a history entry). */
export function navigate(route: Route): void {
  window.location.hash = routeHref(route);
}
