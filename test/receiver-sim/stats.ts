/** Request counts by endpoint and outcome, plus live stream figures (GET /_sim/stats). */

export type SimOutcome =
  | 'ok' // answered normally (includes 200 + result:false)
  | 'error' // injected 500
  | 'failed' // a failing bouquet's 500
  | 'malformed' // truncated JSON
  | 'timeout' // hung without an answer
  | 'unauthorized'
  | 'not-found'
  | 'refused' // relay reset during the zap window
  | 'tuner-busy' // no free tuner: 200 then a text error
  | 'dropped' // a stream reader stalled longer than stallDropMs
  | 'bad-request'; // unknown service or bad request line on the stream ports

export interface SimStats {
  /** Endpoint (`/api/getservices`, `/picon`, `stream`, `relay`, …) → outcome → count. */
  endpoints: Record<string, Partial<Record<SimOutcome, number>>>;
  total: number;
  streams: {
    active: number;
    started: number;
    bytesSent: number;
    tunersInUse: number;
    /** Channel name → its streams now open and started since the last reset. */
    byChannel: Record<string, { active: number; started: number }>;
  };
}

export class StatsRecorder {
  private endpoints: Record<string, Partial<Record<SimOutcome, number>>> = {};
  private total = 0;
  private started = 0;
  private bytesSent = 0;
  private active = 0;
  private byChannel: Record<string, { active: number; started: number }> = {};

  record(endpoint: string, outcome: SimOutcome): void {
    const counts = (this.endpoints[endpoint] ??= {});
    counts[outcome] = (counts[outcome] ?? 0) + 1;
    this.total++;
  }

  streamStarted(channel: string): void {
    this.started++;
    this.active++;
    const tally = (this.byChannel[channel] ??= { active: 0, started: 0 });
    tally.started++;
    tally.active++;
  }

  streamEnded(channel: string): void {
    this.active = Math.max(0, this.active - 1);
    const tally = this.byChannel[channel];
    if (tally) tally.active = Math.max(0, tally.active - 1);
  }

  streamBytes(count: number): void {
    this.bytesSent += count;
  }

  snapshot(tunersInUse: number): SimStats {
    return {
      endpoints: structuredClone(this.endpoints),
      total: this.total,
      streams: {
        active: this.active,
        started: this.started,
        bytesSent: this.bytesSent,
        tunersInUse,
        byChannel: structuredClone(this.byChannel),
      },
    };
  }

  reset(): void {
    this.endpoints = {};
    this.total = 0;
    this.started = 0;
    this.bytesSent = 0;
    for (const tally of Object.values(this.byChannel)) tally.started = 0;
  }
}
