// What a test needs to act as a client of the job API: submit, read, wait for a state, read the event stream.
import { expect } from 'vitest';
import { bearer } from '../../gateway/support/gateway-harness.js';
import { call, type Reply } from '../../gateway/support/http.js';
import { until } from '../../live/support/live-stack.js';

export interface JobView {
  id: string;
  kind: string;
  state: string;
  class: string;
  pool: string;
  attempt: number;
  maxAttempts: number;
  node?: string;
  progress?: { fraction?: number; updatedAt: string };
  failure?: { class: string; code: string; message: string };
  result?: {
    artifactId: string;
    fileName: string;
    contentType: string;
    sizeBytes: number;
    durationSeconds?: number;
    url: string;
  };
  reason?: string;
  startedAt?: string;
  finishedAt?: string;
}

export interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

export class JobsClient {
  constructor(
    readonly baseUrl: string,
    readonly token: string,
  ) {}

  submit(
    body: Record<string, unknown>,
    headers: Record<string, string> = {},
    token = this.token,
  ): Promise<Reply> {
    return call(`${this.baseUrl}/api/v1/jobs`, {
      method: 'POST',
      headers: { ...bearer(token), 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  }

  async create(body: Record<string, unknown>): Promise<JobView> {
    const reply = await this.submit(body);
    expect(reply.status, reply.text).toBe(201);
    return reply.json<JobView>();
  }

  async get(jobId: string): Promise<JobView> {
    const reply = await call(`${this.baseUrl}/api/v1/jobs/${jobId}`, { headers: bearer(this.token) });
    expect(reply.status, reply.text).toBe(200);
    return reply.json<JobView>();
  }

  request(method: string, path: string): Promise<Reply> {
    return call(`${this.baseUrl}${path}`, { method, headers: bearer(this.token) });
  }

  /** Polls the job until `predicate` holds; returns the record that satisfied it. */
  async waitFor(jobId: string, predicate: (job: JobView) => boolean, timeoutMs = 30_000): Promise<JobView> {
    let last: JobView | null = null;
    try {
      await until(
        `job ${jobId}`,
        async () => {
          last = await this.get(jobId);
          return predicate(last);
        },
        timeoutMs,
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}; last seen ${JSON.stringify(last)}`);
    }
    return last!;
  }

  waitForState(jobId: string, state: string, timeoutMs = 30_000): Promise<JobView> {
    return this.waitFor(jobId, (job) => job.state === state, timeoutMs);
  }

  /** Reads the job's event stream to its end (or `timeoutMs`). */
  async events(jobId: string, timeoutMs = 30_000): Promise<SseEvent[]> {
    const response = await fetch(`${this.baseUrl}/api/v1/jobs/${jobId}/events`, {
      headers: bearer(this.token),
      signal: AbortSignal.timeout(timeoutMs),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    return parseSse(await response.text());
  }
}

export function parseSse(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  for (const block of text.split('\n\n')) {
    const event = /^event: (.+)$/m.exec(block)?.[1];
    const data = /^data: (.+)$/m.exec(block)?.[1];
    if (event && data) events.push({ event, data: JSON.parse(data) as Record<string, unknown> });
  }
  return events;
}
