/**
 * Node flags of each app, as the launcher (`npm start`), the benches, docker-compose and the `start:*` scripts run
 * them (docs/operations.md § Node flags; test/ops/compose.spec.ts keeps the copies in step).
 *
 * - transcoder: a 64 MiB young generation lets V8 free the ~64 KiB live chunk buffers in cheap scavenges instead of
 *   promoting them into full collections (about 10 % less CPU at 20 sessions, `npm run bench:live`).
 * - gateway: a 4 MiB one. Its memory has a budget (≤ 300 MiB peak with 1,500 channels × 7 days of EPG, checked by
 *   `npm run bench:gateway`): V8's default young generation adds tens of MiB of peak under bursts of requests, and a
 *   larger one did not make its live relay cheaper (quick `bench:live` runs, side by side).
 */
export const NODE_FLAGS = {
  catalog: [],
  gateway: ['--max-semi-space-size=4'],
  transcoder: ['--max-semi-space-size=64'],
} as const satisfies Record<string, readonly string[]>;

export type NodeApp = keyof typeof NODE_FLAGS;
