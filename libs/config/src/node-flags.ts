/**
 * Node flags of each app, as the launcher (`npm start`), the benches, docker-compose and the `start:*` scripts run
 * them (docs/operations.md § Node flags; test/ops/compose.spec.ts keeps the copies in step).
 *
 * - transcoder: a 64 MiB young generation lets V8 free the ~64 KiB live chunk buffers in cheap scavenges instead of
 *   promoting them into full collections (about 10 % less CPU at 20 sessions, `npm run bench:live`), and garbage
 *   collection on the JS thread only: V8's concurrent marking threads spent 9–12 % of a core at 20 sessions for
 *   work the JS thread then does for 2–3 % (transcoder 62.9 → 56.0 % of a core in side-by-side quick runs). The
 *   transcoder's JS thread only moves chunks and answers NATS, so the longer pauses cost nothing a viewer sees.
 * - gateway: the old generation grows by a fixed 50 % over what a full collection leaves live. Its memory has a budget
 *   (≤ 300 MiB peak with 1,500 channels × 7 days of EPG, checked by `npm run bench:gateway`); V8's own growth factor
 *   (up to 4×) let bursts of small requests pile garbage up to 287–315 MiB, 221 with this flag, at the same request
 *   rates and the same live relay CPU (quick `bench:live` runs, side by side). Default young generation: the 64 MiB
 *   one of the transcoder did not make the relay cheaper and cost ~90 MiB; a 4 MiB one cost ~15 % relay CPU.
 */
export const NODE_FLAGS = {
  catalog: [],
  gateway: ['--heap-growing-percent=50'],
  transcoder: ['--max-semi-space-size=64', '--single-threaded-gc'],
} as const satisfies Record<string, readonly string[]>;

export type NodeApp = keyof typeof NODE_FLAGS;
