/** Items below which no progress bar is drawn (small files finish at once). */
export const PROGRESS_MIN_ITEMS = 50;

/**
 * A one-line progress bar on stderr (`[#####-----] 120/400`), redrawn in place. Drawn only when
 * stderr is a terminal and there are enough items to be worth it.
 */
export function createProgressBar(
  enabled: boolean,
  label: string,
): { update(done: number, total: number): void; end(): void } {
  let drawn = false;
  let last = -1;
  return {
    update(done, total) {
      if (!enabled || total < PROGRESS_MIN_ITEMS) return;
      const width = 30;
      const filled = Math.round((done / total) * width);
      if (filled === last && done !== total) return;
      last = filled;
      process.stderr.write(`\r${label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total}`);
      drawn = true;
    },
    end() {
      if (drawn) process.stderr.write("\n");
    },
  };
}
