import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { CofferClient, loadVocabulary } from "./api/coffer-client";
import type { ApiVocabulary } from "./api/types";
import { type Notice, NoticeContext, NoticeList, type Notify } from "./components/notices";
import { parseRoute, type Route, routeHref } from "./routing/hash-route";
import { clearToken, loadToken, saveToken } from "./session/token-store";
import { AuditView } from "./views/audit-view";
import { CreateSecretView } from "./views/create-secret-view";
import { HealthView } from "./views/health-view";
import { SecretView } from "./views/secret-view";
import { INITIAL_LIST_STATE, type SecretsListState, SecretsView } from "./views/secrets-view";
import { SignInView } from "./views/sign-in-view";

/** Notices kept on screen at most. */
const MAX_NOTICES = 3;

/** The page title of a route (names only, never a value). */
function titleOf(route: Route, signedIn: boolean): string {
  if (!signedIn) return "Sign in · Coffer";
  switch (route.view) {
    case "secrets":
      return "Secrets · Coffer";
    case "new":
      return "New secret · Coffer";
    case "secret":
      return `${route.name} · Coffer`;
    case "audit":
      return route.name ? `Audit: ${route.name} · Coffer` : "Audit log · Coffer";
    case "health":
      return "Health · Coffer";
  }
}

const NAV: Array<{ label: string; route: Route; views: Route["view"][] }> = [
  { label: "Secrets", route: { view: "secrets" }, views: ["secrets", "secret"] },
  { label: "New secret", route: { view: "new" }, views: ["new"] },
  { label: "Audit", route: { view: "audit" }, views: ["audit"] },
  { label: "Health", route: { view: "health" }, views: ["health"] },
];

/** The dashboard: sign-in, then the views under a navigation bar. */
export function App() {
  const [token, setToken] = useState(loadToken());
  const [signOutReason, setSignOutReason] = useState<string | undefined>();
  const [route, setRoute] = useState<Route>(() => parseRoute(window.location.hash));
  const [vocabulary, setVocabulary] = useState<ApiVocabulary>({ scopeKinds: [], auditActions: [], secretFormats: [] });
  const [providers, setProviders] = useState<string[]>([]);
  const [listState, setListState] = useState<SecretsListState>(INITIAL_LIST_STATE);
  const [notices, setNotices] = useState<Notice[]>([]);
  const noticeId = useRef(0);
  const mainRef = useRef<HTMLElement>(null);
  const firstRoute = useRef(true);

  const signOut = useCallback((reason?: string) => {
    clearToken();
    setToken(undefined);
    setSignOutReason(reason);
    setNotices([]);
    setListState(INITIAL_LIST_STATE);
  }, []);

  const client = useMemo(
    () =>
      token
        ? new CofferClient(token, () =>
            signOut("The server no longer accepts your token (expired or revoked). Sign in again."),
          )
        : undefined,
    [token, signOut],
  );

  useEffect(() => {
    const onHash = () => {
      setRoute(parseRoute(window.location.hash));
      setNotices((list) => list.filter((n) => n.hash === window.location.hash));
    };
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);

  useEffect(() => {
    document.title = titleOf(route, client !== undefined);
    if (firstRoute.current) {
      firstRoute.current = false;
      return;
    }
    // A new view: move focus to it, so keyboard and screen-reader users start there.
    mainRef.current?.focus();
  }, [route, client]);

  useEffect(() => {
    void loadVocabulary().then(setVocabulary);
  }, []);

  useEffect(() => {
    if (!client) return;
    client.providers().then(
      (report) => setProviders(report.chain),
      () => setProviders([]),
    );
  }, [client]);

  const notify: Notify = useCallback((notice) => {
    setNotices((list) =>
      [...list, { ...notice, id: ++noticeId.current, hash: window.location.hash }].slice(-MAX_NOTICES),
    );
  }, []);
  const dismiss = useCallback((id: number) => setNotices((list) => list.filter((n) => n.id !== id)), []);

  if (!client) {
    return (
      <SignInView
        {...(signOutReason ? { reason: signOutReason } : {})}
        onSignedIn={(newToken, keepInTab) => {
          saveToken(newToken, keepInTab);
          setSignOutReason(undefined);
          setToken(newToken);
        }}
      />
    );
  }

  return (
    <NoticeContext.Provider value={notify}>
      <button type="button" class="skip-link" onClick={() => mainRef.current?.focus()}>
        Skip to content
      </button>
      <header class="top-bar">
        <a class="brand" href={routeHref({ view: "secrets" })}>
          <img src={`${import.meta.env.BASE_URL}favicon.svg`} alt="" width={24} height={24} />
          Coffer
        </a>
        <nav aria-label="Main">
          <ul>
            {NAV.map((item) => (
              <li key={item.label}>
                <a href={routeHref(item.route)} aria-current={item.views.includes(route.view) ? "page" : undefined}>
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <button type="button" class="sign-out" onClick={() => signOut("You signed out.")}>
          Sign out
        </button>
      </header>
      <main id="main" ref={mainRef} tabIndex={-1}>
        <NoticeList notices={notices} onDismiss={dismiss} />
        {route.view === "secrets" ? (
          <SecretsView
            client={client}
            vocabulary={vocabulary}
            providers={providers}
            state={listState}
            onState={setListState}
          />
        ) : null}
        {route.view === "new" ? (
          <CreateSecretView client={client} vocabulary={vocabulary} providers={providers} />
        ) : null}
        {route.view === "secret" ? (
          <SecretView
            client={client}
            vocabulary={vocabulary}
            providers={providers}
            address={{ name: route.name, scope: route.scope, ...(route.provider ? { provider: route.provider } : {}) }}
          />
        ) : null}
        {route.view === "audit" ? (
          <AuditView
            key={route.name ?? ""}
            client={client}
            vocabulary={vocabulary}
            {...(route.name ? { initialName: route.name } : {})}
          />
        ) : null}
        {route.view === "health" ? <HealthView client={client} /> : null}
      </main>
    </NoticeContext.Provider>
  );
}
