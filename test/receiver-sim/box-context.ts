/** What the web handlers see of the simulated box, and the shapes they exchange with the HTTP layer. */
import type { IncomingHttpHeaders } from 'node:http';
import type { BoxClock } from './box-time.js';
import type { SimFaults } from './faults.js';
import type { DatasetIndex } from './lookup.js';
import type { SimDataset } from './model.js';
import type { PyJson } from './py-json.js';
import type { TunerPool } from './tuners.js';

export interface ActiveStream {
  id: number;
  ref: string;
  name: string;
  client: string;
  via: 'stream' | 'relay';
}

/** Mutable box state: the service on screen and who is streaming. */
export class BoxState {
  currentRef: string;
  readonly streams = new Map<number, ActiveStream>();
  private nextId = 1;

  constructor(initialRef: string) {
    this.currentRef = initialRef;
  }

  addStream(stream: Omit<ActiveStream, 'id'>): number {
    const id = this.nextId++;
    this.streams.set(id, { ...stream, id });
    return id;
  }

  removeStream(id: number): void {
    this.streams.delete(id);
  }
}

export interface BoxContext {
  dataset: SimDataset;
  index: DatasetIndex;
  clock: BoxClock;
  /** Simulator clock in ms. */
  now(): number;
  faults(): Readonly<SimFaults>;
  tuners: TunerPool;
  state: BoxState;
  ports(): { stream: number; relay: number };
}

export interface WebRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** Host name the client used (without port), as OpenWebIF puts into playlist URLs. */
  hostname: string;
  headers: IncomingHttpHeaders;
}

export type WebReply =
  | { kind: 'json'; value: PyJson }
  | { kind: 'xml'; text: string }
  | { kind: 'text'; text: string; contentType: string; headers?: Record<string, string> }
  | { kind: 'png'; body: Buffer }
  | { kind: 'not-found' };

/** A handler failure the box reports as HTTP 500 (e.g. a bouquet that always fails). */
export class BoxFailure extends Error {
  constructor(readonly exception: string) {
    super(exception);
  }
}

export const json = (value: PyJson): WebReply => ({ kind: 'json', value });

/** OpenWebIF's testMandatoryArguments message, or null when the parameter is there. */
export function missingParameterMessage(query: URLSearchParams, name: string): string | null {
  const value = query.get(name);
  if (value === null) return `Missing mandatory parameter '${name}'`;
  if (value === '') return `The parameter '${name}' can't be empty`;
  return null;
}

/** `{result: false, message}` with HTTP 200, OpenWebIF's way of reporting bad parameters. */
export function missingParameter(query: URLSearchParams, name: string): WebReply | null {
  const message = missingParameterMessage(query, name);
  return message === null ? null : json({ result: false, message });
}

/** Python's str(timedelta) for the `processingtime` field. */
export function processingTime(startedMs: number, endedMs: number): string {
  const micros = Math.max(0, Math.round((endedMs - startedMs) * 1000));
  const seconds = Math.floor(micros / 1_000_000);
  const rest = micros % 1_000_000;
  const hh = Math.floor(seconds / 3600);
  const mm = String(Math.floor((seconds % 3600) / 60)).padStart(2, '0');
  const ss = String(seconds % 60).padStart(2, '0');
  return rest === 0 ? `${hh}:${mm}:${ss}` : `${hh}:${mm}:${ss}.${String(rest).padStart(6, '0')}`;
}
