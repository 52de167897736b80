import { createHmac, type KeyObject, timingSafeEqual } from "node:crypto";
import type { StateKey } from "../secrets/state-key.js";

/** Fields of the store commitment, kept as one JSON value in `meta`. */
export interface CommitmentFields {
  /** Commits that changed the commitment so far (only ever grows). */
  counter: number;
  /** Number of secret state records. */
  states: number;
  /** XOR of every state record's HMAC (hex, 32 bytes). */
  digest: string;
  /** Key of the first state in key order, or null when there is none. */
  first: StateKey | null;
  /** Sequence number of the last appended audit entry (0 when none). */
  headSeq: number;
  /** Hash of the last appended audit entry ('' when none). */
  headHash: string;
  /** Sequence number of the last pruned audit entry (0 when none). */
  anchorSeq: number;
  /** Hash of the last pruned audit entry ('' when none). */
  anchorHash: string;
}

/** The commitment as stored: its fields and their HMAC. */
export interface SealedCommitment {
  /** {@link CommitmentFields.counter}. */
  counter: number;
  /** HMAC of the fields (hex). */
  mac: string;
}

const EMPTY_DIGEST = "0".repeat(64);

function commitmentMac(key: KeyObject, storeId: string, f: CommitmentFields): string {
  const first = f.first === null ? null : [f.first.scope, f.first.name, f.first.env];
  return createHmac("sha256", key)
    .update(
      JSON.stringify([
        "coffer.commitment.v1",
        storeId,
        f.counter,
        f.states,
        f.digest,
        first,
        f.headSeq,
        f.headHash,
        f.anchorSeq,
        f.anchorHash,
      ]),
      "utf8",
    )
    .digest("hex");
}

function isKey(v: unknown): v is StateKey {
  const k = v as StateKey;
  return !!k && typeof k === "object" && [k.scope, k.name, k.env].every((p) => typeof p === "string");
}

/**
 * A keyed commitment over everything a rollback would change without the key: the set of secret
 * state records (an incremental XOR of their HMACs, and their number), the first state of the
 * key-ordered chain, the audit log's head and prune anchor, and a counter that grows with every
 * commit that changes any of them. Updated in the transaction of every such write; the counter
 * and HMAC are also written to the anchor file, outside the store.
 */
export class StoreCommitment implements CommitmentFields {
  counter: number;
  states: number;
  digest: string;
  first: StateKey | null;
  headSeq: number;
  headHash: string;
  anchorSeq: number;
  anchorHash: string;
  /** The HMAC as loaded (the commitment this transaction started from). */
  readonly loaded: SealedCommitment;
  #digest: Buffer;
  #dirty = false;

  constructor(fields: CommitmentFields, loadedMac: string) {
    this.counter = fields.counter;
    this.states = fields.states;
    this.digest = fields.digest;
    this.first = fields.first;
    this.headSeq = fields.headSeq;
    this.headHash = fields.headHash;
    this.anchorSeq = fields.anchorSeq;
    this.anchorHash = fields.anchorHash;
    this.#digest = Buffer.from(fields.digest, "hex");
    this.loaded = { counter: fields.counter, mac: loadedMac };
  }

  /** The commitment of an empty store. */
  static empty(key: KeyObject, storeId: string): { json: string; sealed: SealedCommitment } {
    const c = new StoreCommitment(
      {
        counter: 0,
        states: 0,
        digest: EMPTY_DIGEST,
        first: null,
        headSeq: 0,
        headHash: "",
        anchorSeq: 0,
        anchorHash: "",
      },
      "",
    );
    return c.#seal(key, storeId);
  }

  /**
   * Parse and authenticate a stored commitment. Undefined when it is not valid JSON of the
   * expected shape or its HMAC does not match (the meta table was edited).
   */
  static parse(json: string | undefined, key: KeyObject, storeId: string): StoreCommitment | undefined {
    if (json === undefined) return undefined;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(json) as Record<string, unknown>;
    } catch {
      return undefined;
    }
    if (!o || typeof o !== "object") return undefined;
    const ints = ["counter", "states", "headSeq", "anchorSeq"].every((k) => Number.isSafeInteger(o[k]));
    const texts = ["headHash", "anchorHash", "mac"].every((k) => typeof o[k] === "string");
    if (!ints || !texts || typeof o.digest !== "string" || !/^[0-9a-f]{64}$/.test(o.digest)) return undefined;
    if (o.first !== null && !isKey(o.first)) return undefined;
    const fields = o as unknown as CommitmentFields & { mac: string };
    const expected = Buffer.from(commitmentMac(key, storeId, fields), "hex");
    const actual = Buffer.from(fields.mac, "hex");
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return undefined;
    const first =
      fields.first === null ? null : { scope: fields.first.scope, name: fields.first.name, env: fields.first.env };
    return new StoreCommitment({ ...fields, first }, fields.mac);
  }

  /** True when this transaction changed the commitment. */
  get dirty(): boolean {
    return this.#dirty;
  }

  /** Add or remove one state record's HMAC (XOR: the same call removes what it added). */
  toggle(mac: Buffer): void {
    for (let i = 0; i < 32; i++) this.#digest[i]! ^= mac[i] ?? 0;
    this.digest = this.#digest.toString("hex");
    this.#dirty = true;
  }

  /** Note a change of a field other than the digest. */
  touch(): void {
    this.#dirty = true;
  }

  /** Advance the counter and seal: the JSON to store and the counter and HMAC to anchor. */
  next(key: KeyObject, storeId: string): { json: string; sealed: SealedCommitment } {
    this.counter = this.loaded.counter + 1;
    return this.#seal(key, storeId);
  }

  #seal(key: KeyObject, storeId: string): { json: string; sealed: SealedCommitment } {
    const fields: CommitmentFields = {
      counter: this.counter,
      states: this.states,
      digest: this.digest,
      first: this.first,
      headSeq: this.headSeq,
      headHash: this.headHash,
      anchorSeq: this.anchorSeq,
      anchorHash: this.anchorHash,
    };
    const mac = commitmentMac(key, storeId, fields);
    return { json: JSON.stringify({ ...fields, mac }), sealed: { counter: fields.counter, mac } };
  }
}
