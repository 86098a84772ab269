/** JetStream buckets and streams. Names are part of the contract between services. */
export const Bucket = {
  /** Object Store: gzipped catalog snapshots, named `snapshot-<version>-<digest>.json.gz`. */
  Catalog: 'catalog',
  /** KV: `current` → CatalogMetaRecord. */
  CatalogMeta: 'catalog-meta',
  /** KV with TTL: `refresh` → the running refresh (cluster-wide single flight). */
  CatalogLock: 'catalog-lock',
  /** Object Store: `<picon-name>.png`, plus negative entries (empty objects with metadata `missing=1`). */
  Picons: 'picons',
  /** KV with TTL: live transcoder sessions (channel, profile, node, segment list, viewers' last touch). */
  Sessions: 'sessions',
  /** KV: `requests` → the receiver's shared request budget (a token bucket, compare-and-set only). */
  ReceiverBudget: 'receiver-budget',
  /** KV: `allocation` → which transponders hold a tuner and the sessions using each (compare-and-set only). */
  Tuners: 'tuners',
  /** KV with TTL (≈ 3 heartbeats): transcoder node id → capabilities, capacity, load. */
  Nodes: 'nodes',
  /** Object Store with TTL (the timeshift window): HLS segments `<sessionId>/<seq>.ts` of live sessions. */
  Hls: 'hls',
  /** KV: `j.<jobId>` → JobRecord (every change a compare-and-set); `idem.<digest>` → the job an idempotency key made. */
  Jobs: 'jobs',
  /** Object Store: job outputs, `<artifactId>` (a finished attempt's file, promoted by the job's success). */
  Artifacts: 'artifacts',
  /** KV with TTL: `s.<sha256 of the cookie value>` → WebSessionRecord (a browser signed in to the web app). */
  WebSessions: 'web-sessions',
} as const;

export const CatalogMetaKey = { Current: 'current' } as const;
export const ReceiverBudgetKey = { Requests: 'requests' } as const;
export const CatalogLockKey = { Refresh: 'refresh' } as const;

/** A snapshot's object (and data-dir file) name: its content version and the start of its bytes' digest. */
export function snapshotObjectName(version: string, digest: string): string {
  return `snapshot-${version}-${digest.slice(0, 16)}.json.gz`;
}

export function piconObjectName(picon: string): string {
  return `${picon}.png`;
}
