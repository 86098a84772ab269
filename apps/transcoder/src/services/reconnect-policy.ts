/** Backoff of upstream reconnects: 250 ms doubling to 4 s, full jitter, within the retry budget. Pure. */
const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 4_000;

/**
 * The wait before reconnect `attempt` (1-based), or null when the budget (`E2GATE_UPSTREAM_RETRY`) would be spent
 * by then. `random` is in [0, 1) (Math.random, or a seeded source in tests).
 */
export function reconnectDelay(
  attempt: number,
  spentMs: number,
  budgetMs: number,
  random: number,
): number | null {
  const ceiling = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.max(0, attempt - 1));
  const delay = Math.round(FIRST_DELAY_MS / 2 + random * (ceiling - FIRST_DELAY_MS / 2));
  return spentMs + delay > budgetMs ? null : delay;
}
