import { PassThrough, type Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { E2gateError, ErrorCode } from '@e2gate/contracts';
import { eventText } from '../http/event-stream.js';
import { JobsService } from './jobs.service.js';
import { SessionsService } from './sessions.service.js';
import { StatusService } from './status.service.js';

/** Status streams one replica keeps open at most (each polls its sources every two seconds). */
const MAX_STREAMS = 50;
const POLL_MS = 2_000;
const HEARTBEAT_MS = 15_000;
const RECENT_JOBS = 20;

/**
 * `GET /api/v1/status/events`: the status page's data as server-sent events — `status`, `sessions`, `nodes` and
 * `jobs` (the 20 newest), each the same document its REST route answers, sent at once and again whenever it changes
 * (looked at every two seconds). A source that fails is left out of that round; the stream goes on.
 */
@Injectable()
export class StatusEventsService {
  private open = 0;

  constructor(
    private readonly statusService: StatusService,
    private readonly sessions: SessionsService,
    private readonly jobs: JobsService,
  ) {}

  stream(requestId: string): Readable {
    if (this.open >= MAX_STREAMS) {
      throw new E2gateError(ErrorCode.Capacity, `this replica serves ${MAX_STREAMS} status streams at most`, {
        retryAfterSeconds: 10,
      });
    }
    this.open++;
    const out = new PassThrough();
    const last = new Map<string, string>();
    let id = 0;
    const sources: Record<string, () => Promise<unknown> | unknown> = {
      status: () => this.statusService.status(requestId),
      sessions: () => this.sessions.list(),
      nodes: () => this.sessions.nodes(),
      jobs: () => this.jobs.list({ limit: RECENT_JOBS }),
    };
    let polling = false;
    const poll = async () => {
      if (polling) return;
      polling = true;
      for (const [event, read] of Object.entries(sources)) {
        const data = await Promise.resolve()
          .then(read)
          .catch(() => undefined);
        const text = data === undefined ? undefined : JSON.stringify(data);
        if (text === undefined || last.get(event) === text || out.writableEnded) continue;
        last.set(event, text);
        out.write(eventText(++id, event, data));
      }
      polling = false;
    };
    void poll();
    const timer = setInterval(() => void poll(), POLL_MS);
    const heartbeat = setInterval(() => out.write(': keep-alive\n\n'), HEARTBEAT_MS);
    out.once('close', () => {
      this.open--;
      clearInterval(timer);
      clearInterval(heartbeat);
    });
    return out;
  }
}
