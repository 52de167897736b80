import { useEffect, useId, useRef, useState } from "preact/hooks";
import type { ApiError } from "../api/api-error";
import type { CofferClient } from "../api/coffer-client";
import type { SecretAddress } from "../api/secret-address";
import { ActionError } from "./load-state";
import { asApiError } from "./use-load";

/** Seconds a revealed value stays on screen. */
export const REVEAL_SECONDS = 30;

type RevealState =
  | { step: "masked" }
  | { step: "asking"; error?: ApiError }
  | { step: "loading" }
  | { step: "shown"; value: string; hideAt: number; secondsLeft: number };

/**
 * A masked value with a "Reveal" flow: the person gives a purpose (recorded in the audit log),
 * the value shows for {@link REVEAL_SECONDS} seconds, then hides again; it also hides when the
 * tab is hidden or the view changes. Write-only secrets have no reveal.
 */
export function RevealValue({
  client,
  address,
  env,
  maskedValue,
  writeOnly,
}: {
  client: CofferClient;
  address: SecretAddress;
  env?: string;
  maskedValue: string;
  writeOnly: boolean;
}) {
  const [state, setState] = useState<RevealState>({ step: "masked" });
  const [purpose, setPurpose] = useState("");
  const purposeId = useId();
  const hintId = useId();
  const purposeRef = useRef<HTMLInputElement>(null);
  const revealButtonRef = useRef<HTMLButtonElement>(null);

  const shown = state.step === "shown";
  useEffect(() => {
    if (!shown) return;
    // Against a deadline, not by counting ticks: timers of a background tab are throttled.
    const timer = window.setInterval(() => {
      setState((s) => {
        if (s.step !== "shown") return s;
        const left = Math.ceil((s.hideAt - Date.now()) / 1000);
        return left <= 0 ? { step: "masked" } : { ...s, secondsLeft: left };
      });
    }, 500);
    const onHidden = () => {
      if (document.visibilityState === "hidden") setState({ step: "masked" });
    };
    document.addEventListener("visibilitychange", onHidden);
    return () => {
      window.clearInterval(timer);
      document.removeEventListener("visibilitychange", onHidden);
    };
  }, [shown]);

  const returnFocus = useRef(false);
  useEffect(() => {
    if (state.step === "asking") purposeRef.current?.focus();
    if (state.step === "masked" && returnFocus.current) {
      returnFocus.current = false;
      revealButtonRef.current?.focus();
    }
  }, [state.step]);

  if (writeOnly) {
    return (
      <div class="value-box">
        <code class="masked">{maskedValue}</code>
        <span class="hint">Write-only: it can be injected into processes but never revealed.</span>
      </div>
    );
  }

  const hide = () => {
    returnFocus.current = true;
    setState({ step: "masked" });
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    const why = purpose.trim();
    if (!why) {
      setState({ step: "asking" });
      return;
    }
    setState({ step: "loading" });
    try {
      const value = await client.reveal(address, why, env);
      setPurpose("");
      setState({ step: "shown", value, hideAt: Date.now() + REVEAL_SECONDS * 1000, secondsLeft: REVEAL_SECONDS });
    } catch (err) {
      setState({ step: "asking", error: asApiError(err) });
    }
  };

  if (state.step === "shown") {
    return (
      <fieldset class="value-box revealed">
        <legend class="visually-hidden">Revealed value</legend>
        <code class="revealed-value" translate={false}>
          {state.value}
        </code>
        <span class="hint">Hides in {state.secondsLeft} s</span>
        <span class="visually-hidden" role="status">
          Value revealed; it hides after {REVEAL_SECONDS} seconds.
        </span>
        <div class="actions">
          <button
            type="button"
            onClick={() => {
              void navigator.clipboard?.writeText(state.value).catch(() => undefined);
            }}
          >
            Copy
          </button>
          <button type="button" onClick={hide}>
            Hide now
          </button>
        </div>
      </fieldset>
    );
  }

  return (
    <div class="value-box">
      <code class="masked">{maskedValue}</code>
      {state.step === "masked" ? (
        <button type="button" ref={revealButtonRef} onClick={() => setState({ step: "asking" })}>
          Reveal…
        </button>
      ) : (
        <form class="reveal-form" onSubmit={submit}>
          <label for={purposeId}>Purpose of this reveal</label>
          <input
            id={purposeId}
            ref={purposeRef}
            type="text"
            required
            maxLength={500}
            autocomplete="off"
            aria-describedby={hintId}
            value={purpose}
            onInput={(e) => setPurpose(e.currentTarget.value)}
          />
          <span id={hintId} class="hint">
            Recorded in the audit log. The value shows for {REVEAL_SECONDS} seconds.
          </span>
          {state.step === "asking" && state.error ? <ActionError failed="Not revealed" error={state.error} /> : null}
          <div class="actions">
            <button type="submit" class="primary" disabled={state.step === "loading"}>
              {state.step === "loading" ? "Revealing…" : "Reveal value"}
            </button>
            <button type="button" onClick={hide}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
