/** Tags typed as a comma-separated list (`payments, prod`): trimmed, empty ones dropped. */
export function parseTagText(text: string): string[] {
  return text
    .split(",")
    .map((tag) => tag.trim())
    .filter((tag) => tag.length > 0);
}

/** Tags as the comma-separated text {@link parseTagText} reads. */
export function tagText(tags: readonly string[] | undefined): string {
  return (tags ?? []).join(", ");
}
