declare const __COFFER_MCP_VERSION__: string | undefined;

/** The package version, set by the bundler (`0.0.0-dev` when running from sources). */
export const SERVER_VERSION: string = typeof __COFFER_MCP_VERSION__ === "string" ? __COFFER_MCP_VERSION__ : "0.0.0-dev";
