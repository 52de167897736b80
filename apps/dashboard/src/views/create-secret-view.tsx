import type { CofferClient } from "../api/coffer-client";
import type { ApiVocabulary } from "../api/types";
import { useNotify } from "../components/notices";
import { navigate } from "../routing/hash-route";
import { SecretForm } from "./secret-form";

/** Create a secret (create only: an existing name in the same scope is refused, not overwritten). */
/** Said after a write whose hard expiry is already past (core accepts it and flags it). */
export const EXPIRED_NOTE = " Its hard expiry is already past: it is listed as hard-expired and reads fail.";

export function CreateSecretView({
  client,
  vocabulary,
  providers,
}: {
  client: CofferClient;
  vocabulary: ApiVocabulary;
  providers: string[];
}) {
  const notify = useNotify();
  return (
    <section aria-labelledby="create-title">
      <h1 id="create-title">New secret</h1>
      <SecretForm
        client={client}
        vocabulary={vocabulary}
        providers={providers}
        mode={{ kind: "create" }}
        onSaved={(result) => {
          navigate({ view: "secret", name: result.name, scope: result.scope, provider: result.provider });
          notify({
            kind: "success",
            text: `Created “${result.name}” (version ${result.version}) at ${result.provider}.${result.alreadyExpired ? EXPIRED_NOTE : ""}`,
          });
        }}
        onCancel={() => navigate({ view: "secrets" })}
      />
    </section>
  );
}
