import type { ParsedServiceRef } from './service-ref.js';

export interface ReceiverInfo {
  brand: string;
  model: string;
  imageDistro: string;
  imageVersion: string;
  enigmaVersion: string;
  webifVersion: string;
  tuners: number;
  transcoding: boolean;
}

export interface ReceiverStatus {
  inStandby: boolean;
  isRecording: boolean;
  isStreaming: boolean;
  currentServiceRef: string;
  currentServiceName: string;
}

export interface BouquetInfo {
  ref: string;
  name: string;
}

export type ServiceKind = 'dvb' | 'iptv' | 'alternatives';

export interface ServiceInfo {
  /** The reference as the receiver understands it: normalised for DVB, verbatim for IPTV/alternatives. */
  ref: string;
  parsed: ParsedServiceRef;
  kind: ServiceKind;
  name: string;
  /** Position in the bouquet as reported by the box. */
  pos?: number;
  lcn?: number;
  provider?: string;
  /** Upstream URL for IPTV references. */
  iptvUrl?: string;
  /** True when the box streams it through the 17999 relay. */
  relay: boolean;
}

export interface ServiceListing {
  services: ServiceInfo[];
  skipped: { markers: number; hidden: number; directories: number; invalid: number; recordings: number };
}

export interface ReceiverEvent {
  id: number;
  /** Epoch seconds (UTC). */
  begin: number;
  durationSec: number;
  title: string;
  shortDescription: string;
  longDescription: string;
  genre: string;
  genreId?: number;
  /** Service reference the event belongs to (bouquet EPG). */
  ref?: string;
}

export interface StreamTarget {
  url: string;
  /** DVB service id to select in the stream (`#EXTVLCOPT:program=`). */
  program?: number;
  name?: string;
}

/** One row of `/api/movielist`. */
export interface MovieEntry {
  filename: string;
  ref: string;
  title: string;
  serviceName: string;
  description: string;
  recordedAt?: number;
  sizeBytes?: number;
  length: string;
}

/** One directory of `/api/movielist`: its recordings and the names of its subdirectories (`bookmarks`). */
export interface MovieDirectory {
  directory: string;
  subdirectories: string[];
  movies: MovieEntry[];
}

export type BreakerState = 'closed' | 'open' | 'half-open' | 'isolated';

export interface ReceiverObserver {
  /** One call per attempt. `outcome` is `ok` or an error code. */
  onAttempt?(event: { endpoint: string; outcome: string; durationMs: number }): void;
  onBreakerStateChange?(state: BreakerState): void;
}
