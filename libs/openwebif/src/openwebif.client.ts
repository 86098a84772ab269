import type { z } from 'zod';
import { ErrorCode } from '@e2gate/contracts';
import { parseEpgXml } from './epg-xml.js';
import type {
  BouquetInfo,
  BreakerState,
  ReceiverEvent,
  ReceiverInfo,
  ReceiverObserver,
  ReceiverStatus,
  MovieDirectory,
  ServiceListing,
  StreamTarget,
} from './models.js';
import { DEFAULT_POLICY, ReceiverPolicy, type ReceiverPolicyOptions } from './receiver-policy.js';
import { httpGet, type HttpTarget } from './receiver-http.js';
import { ReceiverError } from './receiver-error.js';
import {
  aboutResponse,
  allServicesResponse,
  bouquetsResponse,
  epgResponse,
  locationsResponse,
  movieListResponse,
  resultEnvelope,
  servicesResponse,
  statusInfoResponse,
} from './schemas.js';
import { toReceiverEvent, toServiceListing } from './mappers.js';
import { parseStreamM3u } from './stream-m3u.js';
import { jsonDepthExceeds, MAX_JSON_DEPTH } from './json-guard.js';
import { cleanName, decodeBody, snippet } from './text.js';

export interface OpenWebifClientOptions extends Partial<ReceiverPolicyOptions> {
  /** `http://host[:port]`; credentials in the URL are used for Basic auth and removed from it. */
  baseUrl: string;
  user?: string;
  password?: string;
  timeoutMs: number;
  retries: number;
  maxRps: number;
  concurrency: number;
  epgConcurrency: number;
  maxBodyBytes?: number;
  observer?: ReceiverObserver;
}

/** Per-call options: `signal` cancels the call (in flight and pending retries). */
export interface CallOptions {
  signal?: AbortSignal;
}

const KiB = 1024;
const MiB = 1024 * KiB;
const DEFAULT_MAX_BODY = 64 * MiB;

/**
 * The most each endpoint can really send, with room to spare: 1,000 bouquets, 5,000 services of a bouquet, a
 * fortnight of one channel's EPG with long descriptions. A body beyond its cap is refused before it is parsed.
 */
const ENDPOINT_MAX_BYTES: Readonly<Record<string, number>> = {
  about: 1 * MiB,
  statusinfo: 1 * MiB,
  bouquets: 8 * MiB,
  getservices: 16 * MiB,
  getallservices: 64 * MiB,
  epgservice: 16 * MiB,
  web_epgservice: 16 * MiB,
  epgnownext: 16 * MiB,
  epgbouquet: 64 * MiB,
  stream_m3u: 64 * KiB,
  picon: 2 * MiB,
  movielist: 32 * MiB,
  getlocations: 64 * KiB,
};

/** Typed, tolerant client for an Enigma2 receiver's OpenWebIF API (openwebif reference §3). */
export class OpenWebifClient {
  private readonly target: HttpTarget;
  private readonly policy: ReceiverPolicy;
  private readonly observer: ReceiverObserver;

  constructor(options: OpenWebifClientOptions) {
    const url = new URL(options.baseUrl);
    const user = options.user ?? (url.username ? decodeURIComponent(url.username) : undefined);
    const password = options.password ?? (url.password ? decodeURIComponent(url.password) : undefined);
    url.username = '';
    url.password = '';
    this.target = {
      baseUrl: url.toString().replace(/\/+$/, ''),
      ...(user !== undefined
        ? { authorization: `Basic ${Buffer.from(`${user}:${password ?? ''}`).toString('base64')}` }
        : {}),
      timeoutMs: options.timeoutMs,
      maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY,
    };
    this.observer = options.observer ?? {};
    this.policy = new ReceiverPolicy({ ...DEFAULT_POLICY, ...options }, this.observer);
  }

  get breakerState(): BreakerState {
    return this.policy.breakerState;
  }

  async about(call: CallOptions = {}): Promise<ReceiverInfo> {
    const { info } = await this.json('about', '/api/about', aboutResponse, call);
    return {
      brand: cleanName(info.brand ?? ''),
      model: cleanName(info.model ?? info.boxtype ?? ''),
      imageDistro: info.imagedistro ?? '',
      imageVersion: info.imagever ?? '',
      enigmaVersion: info.enigmaver ?? '',
      webifVersion: info.webifver ?? '',
      tuners: info.tuners?.length ?? 0,
      transcoding: info.transcoding ?? false,
    };
  }

  async statusInfo(): Promise<ReceiverStatus> {
    const status = await this.json('statusinfo', '/api/statusinfo', statusInfoResponse);
    return {
      inStandby: status.inStandby ?? false,
      isRecording: status.isRecording ?? false,
      isStreaming: status.isStreaming ?? false,
      currentServiceRef: status.currservice_serviceref ?? '',
      currentServiceName: cleanName(status.currservice_name ?? ''),
    };
  }

  async bouquets(kind: 'tv' | 'radio' = 'tv', call: CallOptions = {}): Promise<BouquetInfo[]> {
    const body = await this.json('bouquets', `/api/bouquets?stype=${kind}`, bouquetsResponse, call);
    return body.bouquets.map(([ref, name]) => ({ ref: ref.trim(), name: cleanName(name) }));
  }

  /** Playable entries of a bouquet; markers, hidden entries and sub-bouquets are skipped and counted. */
  async services(bouquetRef: string, call: CallOptions = {}): Promise<ServiceListing> {
    const body = await this.json(
      'getservices',
      `/api/getservices?sRef=${encodeURIComponent(bouquetRef)}`,
      servicesResponse,
      call,
    );
    return toServiceListing(body.services);
  }

  async allServices(
    kind: 'tv' | 'radio' = 'tv',
  ): Promise<{ bouquet: BouquetInfo; listing: ServiceListing }[]> {
    const query = kind === 'radio' ? '?type=radio' : '';
    const body = await this.json('getallservices', `/api/getallservices${query}`, allServicesResponse);
    return body.services.map((bouquet) => ({
      bouquet: { ref: bouquet.servicereference.trim(), name: cleanName(bouquet.servicename) },
      listing: toServiceListing(bouquet.subservices ?? []),
    }));
  }

  /** EPG of one service between two epoch-second instants (the box takes the end as a span in minutes). */
  async epgService(ref: string, from: number, to: number, call: CallOptions = {}): Promise<ReceiverEvent[]> {
    const spanMinutes = Math.max(1, Math.ceil((to - from) / 60));
    const path = `/api/epgservice?sRef=${encodeURIComponent(ref)}&time=${from}&endTime=${spanMinutes}`;
    const body = await this.json('epgservice', path, epgResponse, { ...call, heavy: true });
    return body.events.map(toReceiverEvent).filter((event): event is ReceiverEvent => event !== null);
  }

  async epgBouquet(bouquetRef: string, from: number, to: number): Promise<ReceiverEvent[]> {
    const spanMinutes = Math.max(1, Math.ceil((to - from) / 60));
    const path = `/api/epgbouquet?bRef=${encodeURIComponent(bouquetRef)}&time=${from}&endTime=${spanMinutes}`;
    const body = await this.json('epgbouquet', path, epgResponse, { heavy: true });
    return body.events.map(toReceiverEvent).filter((event): event is ReceiverEvent => event !== null);
  }

  /** What runs now and next on every service of a bouquet: one request instead of one per channel. */
  async epgNowNext(bouquetRef: string, call: CallOptions = {}): Promise<ReceiverEvent[]> {
    const path = `/api/epgnownext?bRef=${encodeURIComponent(bouquetRef)}`;
    const body = await this.json('epgnownext', path, epgResponse, { ...call, heavy: true });
    return body.events.map(toReceiverEvent).filter((event): event is ReceiverEvent => event !== null);
  }

  /** The XML form of the service EPG, for images whose JSON endpoint is broken. */
  async epgServiceXml(
    ref: string,
    from: number,
    to: number,
    call: CallOptions = {},
  ): Promise<ReceiverEvent[]> {
    const spanMinutes = Math.max(1, Math.ceil((to - from) / 60));
    const path = `/web/epgservice?sRef=${encodeURIComponent(ref)}&time=${from}&endTime=${spanMinutes}`;
    const text = await this.text('web_epgservice', path, { ...call, heavy: true });
    if (!text.trimStart().startsWith('<')) {
      throw new ReceiverError(ErrorCode.ReceiverBadResponse, 'expected XML from /web/epgservice', {
        endpoint: 'web_epgservice',
        snippet: snippet(text),
      });
    }
    return parseEpgXml(text);
  }

  async streamTarget(ref: string, name?: string, call: CallOptions = {}): Promise<StreamTarget> {
    const query = `ref=${encodeURIComponent(ref)}${name ? `&name=${encodeURIComponent(name)}` : ''}`;
    const text = await this.text('stream_m3u', `/web/stream.m3u?${query}`, call);
    const target = parseStreamM3u(text);
    if (!target) {
      throw new ReceiverError(ErrorCode.ReceiverBadResponse, 'stream.m3u holds no stream URL', {
        endpoint: 'stream_m3u',
        snippet: snippet(text),
      });
    }
    return target;
  }

  /** A picon by file name (without `.png`); null when the receiver has none under that name. */
  async picon(fileName: string, call: CallOptions = {}): Promise<Uint8Array | null> {
    const result = await this.policy.run(
      'picon',
      false,
      (signal) => this.attempt('picon', `/picon/${encodeURIComponent(fileName)}.png`, signal),
      call.signal,
    );
    if (result.status === 404) return null;
    if (!isPng(result.body)) {
      throw new ReceiverError(ErrorCode.ReceiverBadResponse, `picon ${fileName} is not a PNG`, {
        endpoint: 'picon',
      });
    }
    return result.body;
  }

  /** One directory of recordings (`/api/movielist?dirname=`, the box's default directory without one). */
  async movies(directory?: string, call: CallOptions = {}): Promise<MovieDirectory> {
    const query = directory === undefined ? '' : `?dirname=${encodeURIComponent(directory)}`;
    const body = await this.json('movielist', `/api/movielist${query}`, movieListResponse, call);
    return {
      directory: typeof body.directory === 'string' ? body.directory : (directory ?? ''),
      subdirectories: body.bookmarks,
      movies: body.movies.map((movie) => ({
        filename: movie.filename,
        ref: movie.serviceref ?? '',
        title: cleanName(movie.eventname ?? ''),
        serviceName: cleanName(movie.servicename ?? ''),
        description: cleanName(movie.description ?? ''),
        ...(movie.recordingtime === undefined ? {} : { recordedAt: movie.recordingtime }),
        ...(movie.filesize === undefined ? {} : { sizeBytes: movie.filesize }),
        length: movie.length ?? '',
      })),
    };
  }

  /** The recording locations the box is set up with (`/api/getlocations`); empty when the image has no such call. */
  async movieLocations(call: CallOptions = {}): Promise<string[]> {
    try {
      const body = await this.json('getlocations', '/api/getlocations', locationsResponse, call);
      return [...new Set([body.default, ...(body.locations ?? [])].filter((l): l is string => !!l))];
    } catch (error) {
      const missing = error instanceof ReceiverError && error.code === ErrorCode.ReceiverNotFound;
      if (missing || (error instanceof ReceiverError && error.code === ErrorCode.ReceiverBadResponse))
        return [];
      throw error;
    }
  }

  private async json<S extends z.ZodType>(
    endpoint: string,
    path: string,
    schema: S,
    options: CallOptions & { heavy?: boolean } = {},
  ): Promise<z.output<S>> {
    const text = await this.text(endpoint, path, options);
    if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
      throw new ReceiverError(
        ErrorCode.ReceiverBadResponse,
        `receiver sent JSON nested deeper than ${MAX_JSON_DEPTH} levels on ${endpoint}`,
        { endpoint, snippet: snippet(text) },
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ReceiverError(ErrorCode.ReceiverBadResponse, `receiver sent malformed JSON on ${endpoint}`, {
        endpoint,
        snippet: snippet(text),
      });
    }
    const envelope = resultEnvelope.safeParse(parsed);
    if (envelope.success && envelope.data.result === false) {
      const message = typeof envelope.data.message === 'string' ? envelope.data.message : 'result: false';
      throw new ReceiverError(ErrorCode.ReceiverApiError, `receiver refused ${endpoint}: ${message}`, {
        endpoint,
        snippet: snippet(text),
      });
    }
    const result = schema.safeParse(parsed);
    if (!result.success) {
      const issue = result.error.issues[0];
      throw new ReceiverError(
        ErrorCode.ReceiverBadResponse,
        `unexpected ${endpoint} response: ${issue ? `${issue.path.join('.')} ${issue.message}` : 'invalid'}`,
        { endpoint, snippet: snippet(text) },
      );
    }
    return result.data;
  }

  private async text(
    endpoint: string,
    path: string,
    options: CallOptions & { heavy?: boolean } = {},
  ): Promise<string> {
    const result = await this.policy.run(
      endpoint,
      options.heavy ?? false,
      (signal) => this.attempt(endpoint, path, signal),
      options.signal,
    );
    if (result.status === 404) {
      throw new ReceiverError(ErrorCode.ReceiverNotFound, `receiver has no ${endpoint} endpoint (HTTP 404)`, {
        endpoint,
        status: 404,
      });
    }
    return decodeBody(result.body).text;
  }

  private async attempt(endpoint: string, path: string, signal: AbortSignal) {
    const maxBodyBytes = Math.min(
      ENDPOINT_MAX_BYTES[endpoint] ?? this.target.maxBodyBytes,
      this.target.maxBodyBytes,
    );
    const started = performance.now();
    try {
      const result = await httpGet({ ...this.target, maxBodyBytes }, endpoint, path, signal);
      this.observer.onAttempt?.({ endpoint, outcome: 'ok', durationMs: performance.now() - started });
      return result;
    } catch (error) {
      const outcome = error instanceof ReceiverError ? error.code : ErrorCode.Internal;
      this.observer.onAttempt?.({ endpoint, outcome, durationMs: performance.now() - started });
      throw error;
    }
  }
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function isPng(bytes: Uint8Array): boolean {
  return bytes.length > 8 && PNG_SIGNATURE.every((byte, index) => bytes[index] === byte);
}
