import type { ScopeRef, ValueEncoding } from "../model/index.js";

/** Formats {@link parseImport} reads. */
export const IMPORT_FORMATS = ["env", "json", "yaml"] as const;
/** One import format. */
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** Formats {@link formatExport} writes. */
export const EXPORT_FORMATS = ["json", "yaml", "csv", "env"] as const;
/** One export format. */
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Fields allowed in the object form of a JSON/YAML import entry. */
export const IMPORT_ITEM_FIELDS = ["value", "tags", "description", "expiresAt", "ttlSeconds", "encoding"] as const;

/** One secret read from an import file, validated and ready to write. */
export interface ImportItem {
  /** Secret name, checked against the default naming rule. */
  name: string;
  /** The value, as text (`utf-8`) or base64 (`base64`). */
  value: string;
  /** Labels for filtering and hook matching. */
  tags?: string[];
  /** Free text, at most 1024 UTF-8 bytes. */
  description?: string;
  /** Hard expiry, normalized to ISO 8601 UTC (`2025-12-31` becomes `2025-12-31T00:00:00.000Z`). */
  expiresAt?: string;
  /** Soft decay window in seconds (a positive integer). */
  ttlSeconds?: number;
  /** Value encoding. @default "utf-8" */
  encoding?: ValueEncoding;
}

/** Codes of the non-fatal findings of {@link parseImport}. */
export type ImportWarningCode = "DUPLICATE_KEY" | "UNEXPANDED_REFERENCE" | "EMPTY_VALUE";

/** A non-fatal finding while reading an import file; it names keys and lines, never values. */
export interface ImportWarning {
  /** `DUPLICATE_KEY` and `UNEXPANDED_REFERENCE` come from `.env` files; `EMPTY_VALUE` flags `KEY=`. */
  code: ImportWarningCode;
  /** Human-readable explanation. */
  message: string;
  /** Secret name concerned. */
  name: string;
  /** 1-based line, for `.env` input. */
  line?: number;
}

/** What {@link parseImport} returns. */
export interface ImportResult {
  /** Secrets in file order. */
  items: ImportItem[];
  /** Non-fatal findings. */
  warnings: ImportWarning[];
}

/** One secret (state) to export: its metadata and, when revealed, its value. */
export interface ExportItem {
  /** Secret name. */
  name: string;
  /** Scope it lives in. */
  scope: ScopeRef;
  /** Env state; `undefined` for the default state. */
  env?: string;
  /** Current version number. */
  version: number;
  /** Provider instance that holds it. */
  provider: string;
  /** Labels. */
  tags?: string[];
  /** Free text. */
  description?: string;
  /** When the secret was first created, ISO 8601. */
  createdAt: string;
  /** When the current version was written, ISO 8601. */
  updatedAt: string;
  /** Hard expiry, ISO 8601. */
  expiresAt?: string;
  /** Soft decay window in seconds. */
  ttlSeconds?: number;
  /** Value encoding. @default "utf-8" */
  encoding?: ValueEncoding;
  /** The value; read only when `includeValues` is set. */
  value?: string;
}

/** Options of {@link formatExport}. */
export interface ExportFormatOptions {
  /** Write values (json/yaml in the import shape, env as `KEY=value`); otherwise metadata only. */
  includeValues: boolean;
}
