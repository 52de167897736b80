import { createContext } from "preact";
import { useContext } from "preact/hooks";

/** A message shown above the current view until dismissed. */
export interface Notice {
  /** Identity (assigned by the list). */
  id: number;
  /** Look and announcement: errors interrupt, the rest is polite. */
  kind: "success" | "info" | "error";
  /** The message (names and versions; never a value). */
  text: string;
  /** A command offered with it (e.g. Restore after a delete). */
  action?: { label: string; run: () => void };
  /** The view it belongs to (`location.hash` when posted): leaving that view drops it. */
  hash: string;
}

/** Show a notice on the current view (navigate first, then notify, to show it on the next one). */
export type Notify = (notice: Omit<Notice, "id" | "hash">) => void;

/** How views post notices. */
export const NoticeContext = createContext<Notify>(() => undefined);

/** The notify function of the app. */
export function useNotify(): Notify {
  return useContext(NoticeContext);
}

/** The notices, newest last. */
export function NoticeList({ notices, onDismiss }: { notices: Notice[]; onDismiss: (id: number) => void }) {
  return (
    <div class="notices" aria-live="polite">
      {notices.map((notice) => (
        <div key={notice.id} class={`notice notice-${notice.kind}`} role={notice.kind === "error" ? "alert" : "status"}>
          <p>{notice.text}</p>
          <div class="actions">
            {notice.action ? (
              <button
                type="button"
                class="primary"
                onClick={() => {
                  onDismiss(notice.id);
                  notice.action?.run();
                }}
              >
                {notice.action.label}
              </button>
            ) : null}
            <button type="button" onClick={() => onDismiss(notice.id)}>
              Dismiss
            </button>
          </div>
        </div>
      ))}
    </div>
  );
}
