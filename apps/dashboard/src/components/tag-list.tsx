import type { ComponentChildren } from "preact";

/** Tags as chips; `empty` (default nothing) when there are none. */
export function TagList({
  tags,
  label,
  empty = null,
}: {
  /** The tags. */
  tags: readonly string[] | undefined;
  /** Accessible name of the list. */
  label?: string;
  /** Shown instead of an empty list. */
  empty?: ComponentChildren;
}) {
  if (!tags || tags.length === 0) return <>{empty}</>;
  return (
    <ul class="tags" aria-label={label}>
      {tags.map((tag) => (
        <li key={tag} class="tag">
          {tag}
        </li>
      ))}
    </ul>
  );
}
