export {
  type GenerateCharset,
  type GeneratedSecret,
  type GenerateSecretOptions,
  generateSecret,
  MAX_GENERATE_LENGTH,
  MAX_PREFIX_LENGTH,
  MIN_GENERATE_LENGTH,
  PREFIX_PATTERN,
} from "./generate-secret.js";
