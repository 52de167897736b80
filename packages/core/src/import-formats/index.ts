export { detectImportFormat } from "./detect-import-format.js";
export { EXPORT_CSV_COLUMNS, formatExport } from "./format-export.js";
export { normalizeExpiry } from "./import-item.js";
export { MAX_YAML_ALIASES } from "./import-source.js";
export { parseImport } from "./parse-import.js";
export {
  EXPORT_FORMATS,
  type ExportFormat,
  type ExportFormatOptions,
  type ExportItem,
  IMPORT_FORMATS,
  IMPORT_ITEM_FIELDS,
  type ImportFormat,
  type ImportItem,
  type ImportResult,
  type ImportWarning,
  type ImportWarningCode,
} from "./types.js";
