/** The API's shapes the app uses (docs/openapi.json is the full contract). */

export type Scope = 'read' | 'stream' | 'admin';

export interface Me {
  kind: 'session' | 'token' | 'anonymous' | 'none';
  name: string;
  scopes: Scope[];
  csrfToken: string | null;
  expiresAt: string | null;
}

export interface Bouquet {
  id: string;
  name: string;
  channelIds: string[];
}

export interface Channel {
  id: string;
  number: number;
  name: string;
  kind: string;
  serviceType: number;
  hd: boolean;
  logoPath?: string | null;
  hlsPath: string;
}

export interface Page<T> {
  version: string;
  total: number;
  offset: number;
  limit: number;
  items: T[];
}

export interface BriefEvent {
  id: number;
  start: number;
  stop: number;
  title: string;
  subtitle?: string;
  genre?: string;
}

export interface EpgEvent extends BriefEvent {
  channelId: string;
  description?: string;
}

export interface NowNext {
  channelId: string;
  now?: BriefEvent | null;
  next?: BriefEvent | null;
}

export interface Recording {
  id: string;
  title: string;
  description?: string;
  channelName?: string;
  channelId?: string | null;
  recordedAt: string;
  durationSeconds?: number | null;
  sizeBytes?: number | null;
}

export interface Job {
  id: string;
  kind: string;
  state: 'queued' | 'running' | 'succeeded' | 'failed' | 'canceled' | 'rejected';
  title?: string;
  node?: string | null;
  createdAt: string;
  progress?: { fraction?: number | null } | null;
  failure?: { code: string; message: string } | null;
  result?: { url: string; fileName: string; sizeBytes: number } | null;
}

export interface LiveSession {
  id: string;
  channelId: string;
  channelName: string;
  profile: string;
  node: string;
  state: string;
  viewers: number;
  bitrateBps: number;
  uptimeSeconds: number;
  delivery: string;
  encoder?: string;
}

export interface TranscoderNode {
  id: string;
  version: string;
  cpus: number;
  capacity: number;
  sessions: number;
  load: number;
  encoders: string[];
}

export interface Status {
  gateway: { version: string; replica: string; uptimeSeconds: number; nats: string };
  catalog: {
    present: boolean;
    refreshedAt?: string | null;
    ageSeconds?: number | null;
    stale: boolean;
    refreshing: boolean;
    reachable: boolean;
    lastError?: { code: string; message: string } | null;
    counts?: { channels: number; events: number; bouquets: number; recordings?: number } | null;
  };
  receiver?: { brand?: string; model?: string; tuners?: number; breaker?: string } | null;
}
