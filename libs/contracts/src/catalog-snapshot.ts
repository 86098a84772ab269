/**
 * The catalog snapshot: everything the gateway serves about channels and the guide, built by the catalog
 * service at each refresh and stored gzipped in the `catalog` Object Store. Times are UTC epoch seconds.
 */
export const SNAPSHOT_SCHEMA_VERSION = 1;

export type ChannelKind = 'dvb' | 'iptv' | 'alternatives';

export interface Channel {
  /** Stable id: readable slug + short hash of the normalised service reference, e.g. `das-erste-hd-3f9a2c01`. */
  id: string;
  /** Guide-friendly id matching `^[-a-z0-9]+(\.[-a-z0-9]+)+$`, e.g. `283d-3fb-1-c00000.dvb`. */
  xmltvId: string;
  number: number;
  name: string;
  /** Normalised Enigma2 service reference (uppercase hex fields, trailing colon). */
  ref: string;
  kind: ChannelKind;
  /** DVB service id (program number) for program selection in the stream; 0 for IPTV. */
  sid: number;
  serviceType: number;
  hd: boolean;
  bouquetIds: string[];
  /** Name of the picon in the `picons` Object Store (without `.png`), null when none was found. */
  picon: string | null;
  /** Receiver-side logical channel number when the image provides one. */
  lcn?: number;
  provider?: string;
  /** For IPTV services: the embedded upstream URL. */
  iptvUrl?: string;
}

export interface Bouquet {
  id: string;
  name: string;
  ref: string;
  channelIds: string[];
}

export interface EpgEvent {
  /** Receiver event id (DVB EIT event_id). */
  id: number;
  start: number;
  stop: number;
  title: string;
  /** The receiver's short description (often an episode title). */
  subtitle?: string;
  /** The receiver's long description. */
  description?: string;
  genre?: string;
  /** DVB content nibbles: level1 × 16 + level2. */
  genreId?: number;
}

export type PartialFailureScope = 'bouquet' | 'epg' | 'picon' | 'recordings';

export interface PartialFailure {
  scope: PartialFailureScope;
  /** Bouquet ref, channel id or picon name. */
  target: string;
  name?: string;
  code: string;
  message: string;
}

export interface ReceiverSummary {
  brand: string;
  model: string;
  imageVersion: string;
  webifVersion: string;
  tuners: number;
}

export interface CatalogCounts {
  bouquets: number;
  channels: number;
  events: number;
  channelsWithEpg: number;
  picons: number;
  /** Channels whose EPG could not be read this time and is carried over from an earlier refresh. */
  epgCarried?: number;
  recordings?: number;
}

/** A recording on the receiver's disks (`/api/movielist` of every location and subdirectory). */
export interface Recording {
  /** Stable id: a hash of the file's path on the receiver. */
  id: string;
  title: string;
  description: string;
  /** The service it was recorded from, as the receiver names it. */
  channelName: string;
  /** The catalog channel of that name, when there is one. */
  channelId?: string;
  /** Epoch seconds. */
  recordedAt?: number;
  /** Unknown while the receiver has not measured the file ("?:??"). */
  durationSeconds?: number;
  sizeBytes?: number;
  /** The file's path on the receiver. */
  file: string;
  /** Service reference of the file (`1:0:0:0:0:0:0:0:0:0:/media/hdd/movie/….ts`). */
  ref: string;
}

export interface CatalogSnapshot {
  schema: typeof SNAPSHOT_SCHEMA_VERSION;
  /** Content hash (hex) of bouquets, channels and EPG: unchanged content keeps its version (and ETags). */
  version: string;
  createdAt: string;
  epgWindow: { from: number; to: number };
  receiver: ReceiverSummary;
  bouquets: Bouquet[];
  channels: Channel[];
  /** Events per channel id, sorted by start, without overlaps. */
  epg: Record<string, EpgEvent[]>;
  /** Channel id → when its EPG was last read from the receiver (epoch seconds); carried-over guides keep theirs. */
  epgFreshness?: Record<string, number>;
  /** True for the snapshots published while the first full EPG is still being read. */
  epgLoading?: boolean;
  partialFailures: PartialFailure[];
  counts: CatalogCounts;
  /** Newest first; absent in snapshots of versions that did not read recordings. */
  recordings?: Recording[];
}

/** Every field of a snapshot but the guide: what services that never render the EPG hold. */
export type SnapshotHead = Omit<CatalogSnapshot, 'epg'>;

/** Value of `current` in the `catalog-meta` KV bucket. */
export interface CatalogMetaRecord {
  version: string;
  /** Object Store name of the snapshot: derived from its version and the digest of its stored bytes. */
  objectName: string;
  /** SHA-256 (hex) of the stored (gzipped) snapshot bytes; readers verify it. */
  digest?: string;
  refreshedAt: string;
  stale: boolean;
  /** When the first failed refresh after the last good one happened. */
  staleSince?: string;
  lastError?: { code: string; message: string; at: string };
  /**
   * Why the snapshot is worse than it should be although the refresh succeeded (a large part of the EPG could
   * not be read, the channel list shrank sharply, the EPG is still loading). Readiness reports `degraded` with these.
   */
  degraded?: string[];
  /** True while the first full EPG is still being read (channels and now/next are already served). */
  epgLoading?: boolean;
  counts: CatalogCounts;
  partialFailures: PartialFailure[];
  receiver: ReceiverSummary;
}
