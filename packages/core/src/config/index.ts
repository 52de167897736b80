export {
  canonicalPath,
  configuredProviders,
  defaultCofferHome,
  defaultConfig,
  findProjectRoot,
  type LoadConfigOptions,
  loadConfig,
  mergeConfig,
  PROJECT_CONFIG_FILE,
  providerKindOf,
  USER_CONFIG_FILE,
  validateConfigFile,
} from "./load.js";
export { matchProxyRoute, type ProxyRoute, parseProxyConfig } from "./proxy-routes.js";
export {
  CONFIG_KEYS,
  type CofferConfig,
  DEFAULT_PRIORITIES,
  type LoadedConfig,
  PROVIDER_KINDS,
  type ProviderConfig,
  type ProviderKind,
} from "./types.js";
