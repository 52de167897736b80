export type {
  DeleteOutcome,
  GetManyResult,
  Page,
  Provider,
  ProviderCapabilities,
  ProviderDeleteOptions,
  ProviderGetOptions,
  ProviderHealth,
  ProviderListQuery,
  ProviderMutationOptions,
  ProviderSetOptions,
  SecretRef,
} from "./provider.js";
export { checkProviderOptionNames, type OptionNames } from "./provider-options.js";
