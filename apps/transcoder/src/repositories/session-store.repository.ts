import { Injectable } from '@nestjs/common';
import type { KV } from '@nats-io/kv';
import { Bucket, type SessionRecord } from '@e2gate/contracts';
import { isKvRevisionConflict, NatsConnectionService, storedKvKeys } from '@e2gate/nats';
import type { TunerAllocation } from '../services/tuner-allocation.js';

const TUNERS_KEY = 'allocation';

export interface Versioned<T> {
  value: T;
  revision: number;
}

/**
 * Session state shared by every transcoder node: the `sessions` KV (one record per channel and profile, kept alive
 * by its node's heartbeats, lapsing with the bucket TTL when the node dies) and the tuner allocation in the `tuners`
 * KV, changed only by compare-and-set.
 */
@Injectable()
export class SessionStoreRepository {
  constructor(private readonly nats: NatsConnectionService) {}

  /** Creates the record; false when one exists (another open won the race). */
  async create(key: string, record: SessionRecord): Promise<boolean> {
    try {
      await (await this.sessions()).create(key, JSON.stringify(record));
      return true;
    } catch (error) {
      if (isKvRevisionConflict(error)) return false;
      throw error;
    }
  }

  async get(key: string): Promise<SessionRecord | null> {
    return (await this.getVersioned(key))?.value ?? null;
  }

  async getVersioned(key: string): Promise<Versioned<SessionRecord> | null> {
    const entry = await (await this.sessions()).get(key);
    if (!entry || entry.operation !== 'PUT' || entry.length === 0) return null;
    return { value: entry.json<SessionRecord>(), revision: entry.revision };
  }

  /** Deletes the record if it is still the one read at `revision` (a dead node's, being taken over). */
  async removeIfUnchanged(key: string, revision: number): Promise<boolean> {
    try {
      await (await this.sessions()).delete(key, { previousSeq: revision });
      return true;
    } catch (error) {
      if (isKvRevisionConflict(error)) return false;
      throw error;
    }
  }

  async put(key: string, record: SessionRecord): Promise<void> {
    await (await this.sessions()).put(key, JSON.stringify(record));
  }

  async remove(key: string): Promise<void> {
    await (await this.sessions()).delete(key);
  }

  /** Every live session record (lapsed ones are gone with the bucket TTL). */
  async list(): Promise<SessionRecord[]> {
    const records: SessionRecord[] = [];
    for (const key of await storedKvKeys(await this.nats.jsm(), Bucket.Sessions, 's.>')) {
      // HLS segment indexes share the bucket under `h.`
      const record = await this.get(key);
      if (record) records.push(record);
    }
    return records;
  }

  async tuners(): Promise<Versioned<TunerAllocation>> {
    const entry = await (await this.tunerKv()).get(TUNERS_KEY);
    if (!entry || entry.operation !== 'PUT' || entry.length === 0) {
      return { value: { transponders: {} }, revision: entry?.revision ?? 0 };
    }
    return { value: entry.json<TunerAllocation>(), revision: entry.revision };
  }

  /** Writes the allocation if nobody changed it since `revision`; false on a conflict (read again, retry). */
  async updateTuners(allocation: TunerAllocation, revision: number): Promise<boolean> {
    const kv = await this.tunerKv();
    try {
      if (revision === 0) await kv.create(TUNERS_KEY, JSON.stringify(allocation));
      else await kv.update(TUNERS_KEY, JSON.stringify(allocation), revision);
      return true;
    } catch (error) {
      if (isKvRevisionConflict(error)) return false;
      throw error;
    }
  }

  private async sessions(): Promise<KV> {
    return (await this.nats.kvm()).open(Bucket.Sessions);
  }

  private async tunerKv(): Promise<KV> {
    return (await this.nats.kvm()).open(Bucket.Tuners);
  }
}
