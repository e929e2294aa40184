// The store's public face: open one by URL; the Store interface and its types.

export * from "./store.js";
export { DEFAULT_STORE_URL, defaultStoreUrl, dropPostgresSchema, isPostgresUrl, openStore, type OpenOptions } from "./open.js";
export { migrationNames } from "./migrations/index.js";
export { newId } from "./codec.js";
