export type { DocumentStore, ServiceBackedProvider } from "./document-store.js";
export { currentReadContext, currentTurn, type ReadContext, runInReadContext } from "./read-context.js";
