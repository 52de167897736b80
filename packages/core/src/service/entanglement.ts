import { CofferError } from "../errors/index.js";
import { parseScopeKey, type ScopeRef, scopeKey, scopeLabel } from "../model/scope.js";
import type { DocumentStore } from "../store/document-store.js";

const COLLECTION = "entanglement";

/** A secret across scopes: name plus scope. */
export interface SecretLocation {
  /** Name. */
  name: string;
  /** Scope. */
  scope: ScopeRef;
}

/**
 * Undirected links between secrets, kept in the service documents. A write to one member of a
 * group is written to every other member. Linking two secrets already connected would close a
 * cycle and is refused.
 */
export class EntanglementRegistry {
  constructor(private readonly documents: DocumentStore | undefined) {}

  /** Storage key of a location. */
  static key(loc: SecretLocation): string {
    return `${scopeKey(loc.scope)}\u0000${loc.name}`;
  }

  /** Location of a storage key. */
  static parse(key: string): SecretLocation {
    const i = key.indexOf("\u0000");
    return { scope: parseScopeKey(key.slice(0, i)), name: key.slice(i + 1) };
  }

  /** Human label: `NAME` (global) or `NAME [project]`. */
  static label(key: string): string {
    const { name, scope } = EntanglementRegistry.parse(key);
    return scope.kind === "global"
      ? name
      : `${name} [${scopeLabel(scope)}${scope.kind === "project" ? `:${scope.id}` : ""}]`;
  }

  private store(): DocumentStore {
    if (!this.documents) throw new CofferError("UNSUPPORTED", "entanglement needs the local store (service documents)");
    return this.documents;
  }

  /** Keys directly linked to `key`. */
  async neighbours(key: string): Promise<string[]> {
    if (!this.documents) return [];
    return (await this.documents.get<string[]>(COLLECTION, key)) ?? [];
  }

  /** Every location connected to `loc`, itself included (breadth first, cycle safe). */
  async group(loc: SecretLocation): Promise<string[]> {
    const start = EntanglementRegistry.key(loc);
    if (!this.documents) return [start];
    const seen = new Set([start]);
    const queue = [start];
    while (queue.length > 0) {
      const k = queue.shift()!;
      for (const n of await this.neighbours(k)) {
        if (!seen.has(n)) {
          seen.add(n);
          queue.push(n);
        }
      }
    }
    return [...seen];
  }

  /** Link two locations. @throws CofferError CONFLICT when they are already connected (a cycle) */
  async link(a: SecretLocation, b: SecretLocation): Promise<string[]> {
    const store = this.store();
    const ka = EntanglementRegistry.key(a);
    const kb = EntanglementRegistry.key(b);
    if (ka === kb) throw new CofferError("INVALID_ARGUMENT", "a secret cannot be entangled with itself");
    const group = await this.group(a);
    if (group.includes(kb)) {
      throw new CofferError(
        "CONFLICT",
        `entangling ${EntanglementRegistry.label(ka)} and ${EntanglementRegistry.label(kb)} would create a cycle: they are already linked through ${group.map(EntanglementRegistry.label).join(", ")}`,
        { name: a.name, rule: "entanglement:acyclic" },
      );
    }
    await store.update<string[]>(COLLECTION, ka, (cur) => [...new Set([...(cur ?? []), kb])]);
    await store.update<string[]>(COLLECTION, kb, (cur) => [...new Set([...(cur ?? []), ka])]);
    return this.group(a);
  }

  /** Remove a direct link. Returns whether one existed. */
  async unlink(a: SecretLocation, b: SecretLocation): Promise<boolean> {
    const store = this.store();
    const ka = EntanglementRegistry.key(a);
    const kb = EntanglementRegistry.key(b);
    let existed = false;
    await store.update<string[]>(COLLECTION, ka, (cur) => {
      existed = (cur ?? []).includes(kb);
      const next = (cur ?? []).filter((k) => k !== kb);
      return next.length ? next : undefined;
    });
    await store.update<string[]>(COLLECTION, kb, (cur) => {
      const next = (cur ?? []).filter((k) => k !== ka);
      return next.length ? next : undefined;
    });
    return existed;
  }
}
