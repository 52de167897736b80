declare const __COFFER_SERVER_VERSION__: string | undefined;

/** Version of coffer-server (injected by the build; "0.0.0-dev" when run from sources). */
export const SERVER_VERSION: string =
  typeof __COFFER_SERVER_VERSION__ === "string" ? __COFFER_SERVER_VERSION__ : "0.0.0-dev";
