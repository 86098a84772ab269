import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { createGzip, createGunzip } from 'node:zlib';
import type { z } from 'zod';
import {
  SNAPSHOT_SCHEMA_VERSION,
  type CatalogMetaRecord,
  type CatalogSnapshot,
  type EpgEvent,
  type SnapshotHead,
} from './catalog-snapshot.js';
import { E2gateError, ErrorCode } from './errors.js';
import {
  CHANNEL_ID_PATTERN,
  channelEventsSchema,
  describeIssue,
  isCanonicalChannelEvents,
  snapshotHeadSchema,
} from './snapshot-schema.js';

const EPG_OPENING = ',"epg":{';
const LINES_BETWEEN_YIELDS = 100;
const MiB = 1024 * 1024;

/** How much a reader accepts from one stored snapshot. */
export interface SnapshotReadLimits {
  /** Bytes after inflating (a gzip bomb stops here, not in the heap). */
  maxInflatedBytes: number;
  /** Bytes of one line of the framed layout (the head, or one channel's guide). */
  maxLineBytes: number;
}

/** 5.6× a 1,500-channel week (92 MiB inflated, docs/benchmarks.md); still stops a gzip bomb before the heap fills. */
export const DEFAULT_SNAPSHOT_READ_LIMITS: Readonly<SnapshotReadLimits> = {
  maxInflatedBytes: 512 * MiB,
  maxLineBytes: 32 * MiB,
};

/** SHA-256 (hex) of stored snapshot bytes: the object name and the meta record carry it. */
export function snapshotDigest(blob: Uint8Array): string {
  return createHash('sha256').update(blob).digest('hex');
}

/** Receives one channel's validated events while a snapshot is read; what it keeps is up to it. */
export type GuideVisitor = (channelId: string, events: EpgEvent[]) => void;

/**
 * The snapshot a meta record names, read from its stored bytes: the digest (when the record has one) and the
 * version must match the record, and the content the schema.
 */
export async function decodeStoredSnapshot(
  blob: Uint8Array,
  meta: Pick<CatalogMetaRecord, 'objectName' | 'version' | 'digest'>,
  limits: SnapshotReadLimits = DEFAULT_SNAPSHOT_READ_LIMITS,
): Promise<CatalogSnapshot> {
  const epg: Record<string, EpgEvent[]> = {};
  const head = await scanStoredSnapshot(blob, meta, (channelId, events) => (epg[channelId] = events), limits);
  return { ...head, epg };
}

/**
 * Validates a stored snapshot exactly as `decodeStoredSnapshot` does, handing each channel's guide to `visit`
 * instead of keeping it: a reader that renders the guide later (from the same bytes, `readStoredGuide`) never holds
 * the parsed week.
 */
export async function scanStoredSnapshot(
  blob: Uint8Array,
  meta: Pick<CatalogMetaRecord, 'objectName' | 'version' | 'digest'>,
  visit: GuideVisitor,
  limits: SnapshotReadLimits = DEFAULT_SNAPSHOT_READ_LIMITS,
): Promise<SnapshotHead> {
  if (meta.digest && snapshotDigest(blob) !== meta.digest) {
    throw invalid(`${meta.objectName} fails its digest`);
  }
  const head = await scanSnapshot(blob, visit, limits);
  if (head.version !== meta.version) {
    throw invalid(`${meta.objectName} holds version ${head.version}, its meta record says ${meta.version}`);
  }
  return head;
}

/**
 * Each channel's events of snapshot bytes that were validated before (`scanStoredSnapshot`), in stored order, one
 * channel at a time. Not validated again: only for bytes that passed the scan and were not changed since.
 */
export async function* readStoredGuide(
  blob: Uint8Array,
  limits: SnapshotReadLimits = DEFAULT_SNAPSHOT_READ_LIMITS,
): AsyncGenerator<[channelId: string, events: EpgEvent[]]> {
  const gunzip = createGunzip();
  gunzip.end(blob);
  let headSeen = false;
  let unframed: Buffer[] | null = null;
  try {
    for await (const line of splitLines(gunzip, limits.maxLineBytes)) {
      if (unframed) {
        unframed.push(line);
        continue;
      }
      if (!headSeen) {
        headSeen = true;
        if (!line.toString('utf8').endsWith(EPG_OPENING)) unframed = [line];
        continue;
      }
      const text = line.toString('utf8');
      if (text === '}}') return;
      yield* Object.entries(JSON.parse(guideLineJson(text)) as GuideLine);
    }
    if (unframed) {
      const document = JSON.parse(Buffer.concat(unframed).toString('utf8')) as { epg?: GuideLine };
      yield* Object.entries(document.epg ?? {});
    }
  } finally {
    gunzip.destroy();
  }
}

type GuideLine = Record<string, EpgEvent[]>;

/** One channel's line of the framed layout (`"<id>":[…],`) as a JSON object of its own. */
function guideLineJson(line: string): string {
  return `{${line.endsWith(',') ? line.slice(0, -1) : line}}`;
}

/**
 * Only the head of a stored snapshot (everything but the EPG: bouquets, channels, receiver), for services that
 * need the channel list and not the guide. Inflates no further than the first line; the digest is still checked
 * over the whole blob. A snapshot not in the framed layout is decoded whole.
 */
export async function decodeStoredSnapshotHead(
  blob: Uint8Array,
  meta: Pick<CatalogMetaRecord, 'objectName' | 'version' | 'digest'>,
  limits: SnapshotReadLimits = DEFAULT_SNAPSHOT_READ_LIMITS,
): Promise<SnapshotHead> {
  if (meta.digest && snapshotDigest(blob) !== meta.digest) {
    throw invalid(`${meta.objectName} fails its digest`);
  }
  const gunzip = createGunzip();
  gunzip.end(blob);
  let head: SnapshotHead | null = null;
  try {
    for await (const line of splitLines(gunzip, limits.maxLineBytes)) {
      const text = line.toString('utf8');
      if (text.endsWith(EPG_OPENING))
        head = validate(snapshotHeadSchema, parse(`${text.slice(0, -EPG_OPENING.length)}}`, 'head'), 'head');
      break;
    }
  } catch (error) {
    if (error instanceof E2gateError) throw error;
    throw invalid(`unreadable: ${(error as Error).message}`);
  } finally {
    gunzip.destroy();
  }
  if (!head) {
    const { epg: _epg, ...whole } = await decodeStoredSnapshot(blob, meta, limits);
    return whole;
  }
  if (head.version !== meta.version) {
    throw invalid(`${meta.objectName} holds version ${head.version}, its meta record says ${meta.version}`);
  }
  return head;
}

/**
 * The stored form of a catalog snapshot: gzipped JSON, framed so that neither writer nor reader ever holds a
 * 1,500-channel week as one string. Line 1 holds every field but `epg`, ending in `,"epg":{`; then one line per
 * channel (`"<id>":[…events…],`); then `}}`. It is plain JSON to any other reader.
 */
export async function encodeSnapshot(snapshot: CatalogSnapshot): Promise<Buffer> {
  const gzip = createGzip({ level: 6 });
  const chunks: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => chunks.push(chunk));
  const write = async (text: string) => {
    if (!gzip.write(text)) await once(gzip, 'drain');
  };
  const { epg, ...head } = snapshot;
  await write(`${JSON.stringify(head).slice(0, -1)}${EPG_OPENING}`);
  let first = true;
  for (const [channelId, events] of Object.entries(epg)) {
    await write(`${first ? '' : ','}\n${JSON.stringify(channelId)}:${JSON.stringify(events)}`);
    first = false;
  }
  await write('\n}}');
  gzip.end();
  await once(gzip, 'end');
  return Buffer.concat(chunks);
}

/**
 * Reads a stored snapshot as a stream of lines, validating each against the snapshot schema and yielding to the
 * event loop between batches of channels. Never inflates more than `limits` allow. Any other layout of the same
 * JSON (one document) is accepted up to `maxLineBytes`. Every problem is an `E2gateError` `SNAPSHOT_INVALID`.
 */
export async function decodeSnapshot(
  blob: Uint8Array,
  limits: SnapshotReadLimits = DEFAULT_SNAPSHOT_READ_LIMITS,
): Promise<CatalogSnapshot> {
  const epg: Record<string, EpgEvent[]> = {};
  const head = await scanSnapshot(blob, (channelId, events) => (epg[channelId] = events), limits);
  return { ...head, epg };
}

async function scanSnapshot(
  blob: Uint8Array,
  visit: GuideVisitor,
  limits: SnapshotReadLimits,
): Promise<SnapshotHead> {
  const reader = new SnapshotReader(visit);
  let inflated = 0;
  let lineCount = 0;
  const gunzip = createGunzip();
  gunzip.end(blob);
  try {
    for await (const line of splitLines(gunzip, limits.maxLineBytes)) {
      inflated += line.length + 1;
      if (inflated > limits.maxInflatedBytes) {
        throw invalid(`inflates to more than ${limits.maxInflatedBytes} bytes`);
      }
      reader.line(line);
      if (++lineCount % LINES_BETWEEN_YIELDS === 0) await yieldToLoop();
    }
  } catch (error) {
    gunzip.destroy();
    if (error instanceof E2gateError) throw error;
    throw invalid(`unreadable: ${(error as Error).message}`);
  }
  return reader.finish();
}

/** Validates a snapshot line by line, handing each channel's events to the visitor as they come. */
class SnapshotReader {
  private head: SnapshotHead | null = null;
  private channelIds: Set<string> | null = null;
  private readonly seen = new Set<string>();
  private unframed: Buffer[] | null = null;
  private closed = false;

  constructor(private readonly visit: GuideVisitor) {}

  line(bytes: Buffer): void {
    if (this.unframed) {
      this.unframed.push(bytes);
      return;
    }
    if (!this.head) {
      const text = bytes.toString('utf8');
      if (!text.endsWith(EPG_OPENING)) {
        this.unframed = [bytes];
        return;
      }
      this.setHead(parse(`${text.slice(0, -EPG_OPENING.length)}}`, 'head'));
      return;
    }
    if (this.closed) throw invalid('content after the end of the snapshot');
    const text = bytes.toString('utf8');
    if (text === '}}') {
      this.closed = true;
      return;
    }
    const entry = parse(guideLineJson(text), 'epg line');
    for (const [channelId, events] of Object.entries(entry as Record<string, unknown>)) {
      this.addEvents(channelId, events);
    }
  }

  finish(): SnapshotHead {
    if (this.unframed)
      return this.fromDocument(parse(Buffer.concat(this.unframed).toString('utf8'), 'document'));
    if (!this.head || !this.closed) throw invalid('truncated');
    return this.head;
  }

  private fromDocument(document: unknown): SnapshotHead {
    if (typeof document !== 'object' || document === null || Array.isArray(document)) {
      throw invalid('not a JSON object');
    }
    const { epg = {}, ...head } = document as Record<string, unknown>;
    this.setHead(head);
    if (typeof epg !== 'object' || epg === null || Array.isArray(epg)) throw invalid('epg: not an object');
    for (const [channelId, events] of Object.entries(epg)) this.addEvents(channelId, events);
    return this.head as SnapshotHead;
  }

  private setHead(value: unknown): void {
    const schema = (value as { schema?: unknown } | null)?.schema;
    if (schema !== SNAPSHOT_SCHEMA_VERSION) {
      throw invalid(`snapshot schema ${String(schema)} is not ${SNAPSHOT_SCHEMA_VERSION}`);
    }
    const head = validate(snapshotHeadSchema, value, 'head');
    this.head = head;
    this.channelIds = new Set(head.channels.map((channel) => channel.id));
  }

  private addEvents(channelId: string, events: unknown): void {
    if (!CHANNEL_ID_PATTERN.test(channelId) || !this.channelIds?.has(channelId)) {
      throw invalid(`epg of an unknown channel ${JSON.stringify(channelId.slice(0, 100))}`);
    }
    if (this.seen.has(channelId)) throw invalid(`epg of ${channelId} given twice`);
    this.seen.add(channelId);
    this.visit(
      channelId,
      isCanonicalChannelEvents(events)
        ? events
        : (validate(channelEventsSchema, events, `epg.${channelId}`) as EpgEvent[]),
    );
  }
}

async function* splitLines(source: AsyncIterable<Buffer>, maxLineBytes: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const chunk of source) {
    let start = 0;
    for (let end = chunk.indexOf(0x0a); end >= 0; end = chunk.indexOf(0x0a, start)) {
      pendingBytes += end - start;
      if (pendingBytes > maxLineBytes) throw invalid(`a line exceeds ${maxLineBytes} bytes`);
      pending.push(chunk.subarray(start, end));
      yield pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending);
      pending = [];
      pendingBytes = 0;
      start = end + 1;
    }
    pendingBytes += chunk.length - start;
    if (pendingBytes > maxLineBytes) throw invalid(`a line exceeds ${maxLineBytes} bytes`);
    if (start < chunk.length) pending.push(chunk.subarray(start));
  }
  if (pendingBytes > 0) yield Buffer.concat(pending);
}

function parse(text: string, part: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw invalid(`${part} is not JSON: ${(error as Error).message.slice(0, 200)}`);
  }
}

function validate<S extends z.ZodType>(schema: S, value: unknown, part: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw invalid(`${part}: ${describeIssue(result.error)}`);
  return result.data;
}

function invalid(message: string): E2gateError {
  return new E2gateError(ErrorCode.SnapshotInvalid, `snapshot rejected: ${message}`);
}
