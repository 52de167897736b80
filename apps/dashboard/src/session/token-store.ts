// Where the API token lives: in memory, and in this tab's session storage only when the person
// asks to stay signed in across reloads. Never in local storage, a cookie or a URL.

const SESSION_KEY = "coffer.dashboard.token";

let memoryToken: string | undefined;

function sessionStore(): Storage | undefined {
  try {
    return window.sessionStorage;
  } catch {
    return undefined; // storage disabled: memory only
  }
}

/** The token of this tab, if signed in. */
export function loadToken(): string | undefined {
  return memoryToken ?? sessionStore()?.getItem(SESSION_KEY) ?? undefined;
}

/** Keep the token in memory, and in session storage when `keepInTab`. */
export function saveToken(token: string, keepInTab: boolean): void {
  memoryToken = token;
  if (keepInTab) sessionStore()?.setItem(SESSION_KEY, token);
  else sessionStore()?.removeItem(SESSION_KEY);
}

/** Forget the token. */
export function clearToken(): void {
  memoryToken = undefined;
  sessionStore()?.removeItem(SESSION_KEY);
}
