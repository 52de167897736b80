/** Human span like `30 days`, `5 hours`, `12 minutes`, `40 seconds`. */
export function formatSpan(seconds: number): string {
  const abs = Math.abs(Math.round(seconds));
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  if (abs >= 86_400) return unit(Math.round(abs / 86_400), "day");
  if (abs >= 3600) return unit(Math.round(abs / 3600), "hour");
  if (abs >= 60) return unit(Math.round(abs / 60), "minute");
  return unit(abs, "second");
}
