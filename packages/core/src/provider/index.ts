export type {
  BatchWrite,
  DeleteOutcome,
  GetManyResult,
  ListPosition,
  Page,
  Provider,
  ProviderBatchOptions,
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
