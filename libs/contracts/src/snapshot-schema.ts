import { z } from 'zod';
import { SNAPSHOT_SCHEMA_VERSION, type CatalogMetaRecord, type EpgEvent } from './catalog-snapshot.js';
import { E2gateError, ErrorCode } from './errors.js';

/**
 * Bounds of a catalog snapshot. The catalog cuts what the receiver sends to these (recording a partial failure),
 * and every reader rejects a stored snapshot that exceeds them, so a forged or corrupted object cannot exhaust a
 * reader's memory or break its renderers.
 */
export const SnapshotBounds = {
  maxBouquets: 1_000,
  maxServicesPerBouquet: 5_000,
  maxChannels: 20_000,
  /** 14 days of 4-minute programmes. */
  maxEventsPerChannel: 5_000,
  maxPartialFailures: 25_000,
  maxRecordings: 10_000,
  maxNameLength: 512,
  maxRefLength: 4_096,
  maxTitleLength: 1_024,
  maxDescriptionLength: 16_384,
} as const;

export const CHANNEL_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,80}$/;
const EPOCH_MAX = 4_102_444_800; // 2100-01-01

const epoch = z.number().int().min(0).max(EPOCH_MAX);
const count = z.number().int().min(0).max(100_000_000);
const name = z.string().max(SnapshotBounds.maxNameLength);
const shortText = z.string().max(256);

const eventSchema = z.object({
  id: z.number().int(),
  start: epoch,
  stop: epoch,
  title: z.string().max(SnapshotBounds.maxTitleLength),
  subtitle: z.string().max(SnapshotBounds.maxTitleLength).optional(),
  description: z.string().max(SnapshotBounds.maxDescriptionLength).optional(),
  genre: shortText.optional(),
  genreId: z.number().int().min(0).max(255).optional(),
});

/** One channel's guide: sorted by start, each event ending after it starts, none overlapping the one before. */
export const channelEventsSchema = z
  .array(eventSchema)
  .max(SnapshotBounds.maxEventsPerChannel)
  .superRefine((events, context) => {
    let lastStop = -1;
    for (const [index, event] of events.entries()) {
      if (event.stop <= event.start || event.start < lastStop) {
        context.addIssue({ code: 'custom', path: [index], message: 'events overlap or are out of order' });
        return;
      }
      lastStop = event.stop;
    }
  });

const EVENT_KEYS: ReadonlySet<string> = new Set(Object.keys(eventSchema.shape));

/**
 * True only for a guide that `channelEventsSchema` accepts as it is (no key the schema would strip, nothing it
 * would change), checked without allocating: reading a 1,500-channel week then copies no event, where the schema
 * copies every one (~50 MiB of garbage and 0.6 s per read). Stricter than the schema on purpose (safe integers,
 * plain objects only): anything this refuses goes to the schema, which decides and names the problem.
 */
export function isCanonicalChannelEvents(value: unknown): value is EpgEvent[] {
  if (!Array.isArray(value) || value.length > SnapshotBounds.maxEventsPerChannel) return false;
  let lastStop = -1;
  for (const event of value as unknown[]) {
    if (!isCanonicalEvent(event) || event.stop <= event.start || event.start < lastStop) return false;
    lastStop = event.stop;
  }
  return true;
}

function isCanonicalEvent(value: unknown): value is EpgEvent {
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) {
    return false;
  }
  const event = value as Record<string, unknown>;
  for (const key in event) if (!EVENT_KEYS.has(key)) return false;
  return (
    Number.isSafeInteger(event['id']) &&
    isIntegerIn(event['start'], 0, EPOCH_MAX) &&
    isIntegerIn(event['stop'], 0, EPOCH_MAX) &&
    isText(event['title'], SnapshotBounds.maxTitleLength) &&
    isOptionalText(event['subtitle'], SnapshotBounds.maxTitleLength) &&
    isOptionalText(event['description'], SnapshotBounds.maxDescriptionLength) &&
    isOptionalText(event['genre'], 256) &&
    (event['genreId'] === undefined || isIntegerIn(event['genreId'], 0, 255))
  );
}

function isIntegerIn(value: unknown, min: number, max: number): value is number {
  return Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max;
}

function isText(value: unknown, maxLength: number): value is string {
  return typeof value === 'string' && value.length <= maxLength;
}

function isOptionalText(value: unknown, maxLength: number): boolean {
  return value === undefined || isText(value, maxLength);
}

const channelSchema = z.object({
  id: z.string().regex(CHANNEL_ID_PATTERN),
  xmltvId: shortText,
  number: z.number().int().min(0).max(1_000_000),
  name,
  ref: z.string().max(SnapshotBounds.maxRefLength),
  kind: z.enum(['dvb', 'iptv', 'alternatives']),
  sid: z.number().int().min(0).max(0xffffffff),
  serviceType: z.number().int().min(0).max(0xffffffff),
  hd: z.boolean(),
  bouquetIds: z.array(shortText).max(SnapshotBounds.maxBouquets),
  picon: shortText.nullable(),
  lcn: z.number().int().min(0).max(1_000_000).optional(),
  provider: name.optional(),
  iptvUrl: z.string().max(SnapshotBounds.maxRefLength).optional(),
});

const bouquetSchema = z.object({
  id: shortText,
  name,
  ref: z.string().max(SnapshotBounds.maxRefLength),
  channelIds: z.array(z.string().regex(CHANNEL_ID_PATTERN)).max(SnapshotBounds.maxServicesPerBouquet),
});

const partialFailureSchema = z.object({
  scope: z.enum(['bouquet', 'epg', 'picon', 'recordings']),
  target: z.string().max(SnapshotBounds.maxRefLength),
  name: name.optional(),
  code: shortText,
  message: z.string().max(2_048),
});

const countsSchema = z.object({
  bouquets: count,
  channels: count,
  events: count,
  channelsWithEpg: count,
  picons: count,
  epgCarried: count.optional(),
  recordings: count.optional(),
});

const recordingSchema = z.object({
  id: z.string().regex(/^[0-9a-f]{16}$/),
  title: z.string().max(SnapshotBounds.maxTitleLength),
  description: z.string().max(SnapshotBounds.maxDescriptionLength),
  channelName: name,
  channelId: z.string().regex(CHANNEL_ID_PATTERN).optional(),
  recordedAt: epoch.optional(),
  durationSeconds: z
    .number()
    .int()
    .min(0)
    .max(31 * 86_400)
    .optional(),
  sizeBytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  file: z.string().max(SnapshotBounds.maxRefLength),
  ref: z.string().max(SnapshotBounds.maxRefLength),
});

const receiverSchema = z.object({
  brand: name,
  model: name,
  imageVersion: name,
  webifVersion: name,
  tuners: z.number().int().min(0).max(64),
});

/** Every field of a snapshot but `epg` (line 1 of the stored form). */
export const snapshotHeadSchema = z.object({
  schema: z.literal(SNAPSHOT_SCHEMA_VERSION),
  version: z.string().regex(/^[0-9a-f]{8,64}$/),
  createdAt: z.iso.datetime(),
  epgWindow: z.object({ from: epoch, to: epoch }),
  receiver: receiverSchema,
  bouquets: z.array(bouquetSchema).max(SnapshotBounds.maxBouquets),
  channels: z.array(channelSchema).max(SnapshotBounds.maxChannels),
  epgFreshness: z.record(z.string().regex(CHANNEL_ID_PATTERN), epoch).optional(),
  epgLoading: z.boolean().optional(),
  partialFailures: z.array(partialFailureSchema).max(SnapshotBounds.maxPartialFailures),
  counts: countsSchema,
  recordings: z.array(recordingSchema).max(SnapshotBounds.maxRecordings).optional(),
});

export const catalogMetaSchema = z.object({
  version: z.string().regex(/^[0-9a-f]{8,64}$/),
  objectName: z.string().regex(/^snapshot-[0-9a-f-]{8,200}\.json\.gz$/),
  digest: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  refreshedAt: z.iso.datetime(),
  stale: z.boolean(),
  staleSince: z.iso.datetime().optional(),
  lastError: z.object({ code: shortText, message: z.string().max(2_048), at: z.iso.datetime() }).optional(),
  degraded: z.array(z.string().max(512)).max(20).optional(),
  epgLoading: z.boolean().optional(),
  counts: countsSchema,
  partialFailures: z.array(partialFailureSchema).max(SnapshotBounds.maxPartialFailures),
  receiver: receiverSchema,
});

/** Zod's first issue as one line: `channels.3.name: expected string, received object`. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const path = issue.path.map(String).join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}

/** Parses and validates a `catalog-meta/current` record; anything else is `SNAPSHOT_INVALID`. */
export function parseCatalogMeta(text: string): CatalogMetaRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new E2gateError(ErrorCode.SnapshotInvalid, 'catalog meta record is not JSON');
  }
  const result = catalogMetaSchema.safeParse(value);
  if (!result.success) {
    throw new E2gateError(ErrorCode.SnapshotInvalid, `catalog meta record: ${describeIssue(result.error)}`);
  }
  return result.data as CatalogMetaRecord;
}
