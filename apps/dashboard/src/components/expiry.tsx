import type { DecayInfo } from "@coffer/core";
import { formatDateTime, formatDuration } from "../format/time";

const STATE_LABEL: Record<DecayInfo["state"], string> = {
  none: "No expiry",
  fresh: "Fresh",
  stale: "Stale",
  expired: "Expired",
  "hard-expired": "Hard-expired",
};

/** `Fresh · 20 d left`, `Stale · 2 h left`, `Expired · 3 d ago`. */
export function expiryText(decay: DecayInfo): string {
  const label = STATE_LABEL[decay.state] ?? decay.state;
  if (decay.state === "none" || decay.secondsRemaining === undefined) return label;
  const remaining = decay.secondsRemaining;
  return remaining >= 0
    ? `${label} · ${formatDuration(remaining)} left`
    : `${label} · ${formatDuration(remaining)} ago`;
}

/** The expiry state as a coloured badge (the text carries the meaning, the colour repeats it). */
export function ExpiryBadge({ decay }: { decay: DecayInfo }) {
  return <span class={`badge badge-${decay.state}`}>{expiryText(decay)}</span>;
}

/** How much of the TTL is used, as a meter, with the dates it reaches stale and expired. */
export function DecayBar({ decay }: { decay: DecayInfo }) {
  if (decay.fractionUsed === undefined) {
    return (
      <p class="decay">
        <ExpiryBadge decay={decay} />{" "}
        {decay.expiresAt ? `Hard expiry ${formatDateTime(decay.expiresAt)}` : "No TTL: this secret does not decay."}
      </p>
    );
  }
  const used = Math.min(1, Math.max(0, decay.fractionUsed));
  const percent = Math.round(used * 100);
  const remaining = decay.secondsRemaining;
  const over = decay.fractionUsed >= 1 && remaining !== undefined && remaining < 0;
  return (
    <div class="decay">
      <label>
        <span class="decay-label">
          TTL used: {percent}%{over ? ` (expired ${formatDuration(remaining)} ago)` : ""} <ExpiryBadge decay={decay} />
        </span>
        <meter class="decay-meter" min={0} max={1} low={0.75} high={0.99} optimum={0} value={used}>
          {percent}%
        </meter>
      </label>
      <p class="hint">
        Stale from 75% of the TTL; {decay.ttlExpiresAt ? `TTL ends ${formatDateTime(decay.ttlExpiresAt)}` : ""}
        {decay.expiresAt ? `; hard expiry ${formatDateTime(decay.expiresAt)}` : ""}.
      </p>
    </div>
  );
}
