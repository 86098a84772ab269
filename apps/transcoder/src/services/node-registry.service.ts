import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_CONFIG, type TranscoderConfig } from '@e2gate/config';
import {
  errorMessage,
  poolsForEncoders,
  type EncoderProbeRecord,
  type JobPool,
  type NodeRecord,
} from '@e2gate/contracts';
import { ClockRepository, instanceName } from '@e2gate/observability';
import { appVersion } from '@e2gate/observability';
import { EngineRepository } from '../repositories/engine.repository.js';
import { NodeStoreRepository } from '../repositories/node-store.repository.js';

/** Sessions a node runs, and how many of them transcode video. */
export interface SessionCounts {
  sessions: number;
  transcodes: number;
}

/**
 * This process in the `nodes` KV: who it is (id, boot id, versions, cores, capacity, encoders) and, every heartbeat,
 * how busy it is. Its record lapses three heartbeats after the process dies (bucket TTL).
 */
@Injectable()
export class NodeRegistryService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(NodeRegistryService.name);
  readonly bootId = randomUUID();
  /** Unique per process even where two nodes share one (tests): the instance name plus the start of the boot id. */
  readonly nodeId = `${instanceName('transcoder')}-${this.bootId.slice(0, 6)}`;
  private readonly startedAt: string;
  private timer: NodeJS.Timeout | null = null;
  private lastCpu = process.cpuUsage();
  private lastBeat: number;
  private encoderProbe: EncoderProbeRecord[] = [];
  private sessionCount: () => SessionCounts = () => ({ sessions: 0, transcodes: 0 });
  private jobCount: () => number = () => 0;
  private readonly probed: Promise<void>;
  private markProbed: () => void = () => undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: TranscoderConfig,
    private readonly store: NodeStoreRepository,
    private readonly engine: EngineRepository,
    private readonly clock: ClockRepository,
  ) {
    this.startedAt = new Date(clock.nowMs()).toISOString();
    this.lastBeat = clock.monotonicMs();
    this.probed = new Promise((resolve) => (this.markProbed = resolve));
  }

  /** Where the heartbeat reads the number of sessions this node runs. */
  countSessionsWith(count: () => SessionCounts): void {
    this.sessionCount = count;
  }

  /** Live sessions that transcode video on this node now (they take job slots: viewers come first). */
  liveTranscodes(): number {
    return this.sessionCount().transcodes;
  }

  /** Where the heartbeat reads the number of jobs this node runs. */
  countJobsWith(count: () => number): void {
    this.jobCount = count;
  }

  /** The job pools this node serves: `cpu`, and one per hardware encoder its probe found working. */
  async pools(): Promise<JobPool[]> {
    await this.probed;
    return poolsForEncoders(this.encoderProbe.filter((p) => p.available).map((p) => p.encoder));
  }

  /** Whether a node (in the boot that holds something) still heartbeats: a restarted node is a different holder. */
  async isAlive(nodeId: string, bootId: string | undefined): Promise<boolean> {
    if (nodeId === this.nodeId) return bootId === this.bootId;
    const record = await this.store.get(nodeId);
    return record !== null && (bootId === undefined || record.bootId === bootId);
  }

  async onApplicationBootstrap(): Promise<void> {
    this.encoderProbe = await this.engine
      .probeEncoders(this.config.transcode.device)
      .catch((error: unknown) => {
        this.logger.warn(`video encoder probe failed: ${errorMessage(error)}`);
        return [{ encoder: 'software', available: true }];
      });
    for (const probe of this.encoderProbe) {
      if (probe.available) this.logger.log(`video encoder ${probe.encoder}: available`);
      else
        this.logger.log(`video encoder ${probe.encoder}: unavailable (${probe.reason ?? 'no reason given'})`);
    }
    this.markProbed();
    await this.beat();
    this.timer = setInterval(() => void this.beat(), this.config.heartbeatMs);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.store.remove(this.nodeId).catch(() => undefined);
  }

  /** Live nodes (this one included) with their last heartbeat. */
  list(): Promise<NodeRecord[]> {
    return this.store.list();
  }

  private async beat(): Promise<void> {
    try {
      await this.store.put(this.record());
    } catch (error) {
      this.logger.warn(`heartbeat not stored: ${errorMessage(error)}`);
    }
  }

  private record(): NodeRecord {
    const now = this.clock.monotonicMs();
    const cpu = process.cpuUsage(this.lastCpu);
    const load = (cpu.user + cpu.system) / 1000 / Math.max(1, now - this.lastBeat);
    this.lastCpu = process.cpuUsage();
    this.lastBeat = now;
    const counts = this.sessionCount();
    return {
      nodeId: this.nodeId,
      bootId: this.bootId,
      version: appVersion(),
      engine: { version: this.engine.versions().engine, avcodec: this.engine.versions().avcodec },
      cpus: availableParallelism(),
      capacity: this.config.maxSessions,
      encoders: this.encoderProbe.filter((p) => p.available).map((p) => p.encoder),
      encoderProbe: this.encoderProbe,
      transcodeCapacity: this.config.transcode.maxSessions,
      transcodeSessions: counts.transcodes,
      startedAt: this.startedAt,
      heartbeatAt: new Date(this.clock.nowMs()).toISOString(),
      sessions: counts.sessions,
      load: Math.round(load * 100) / 100,
      pools: poolsForEncoders(this.encoderProbe.filter((p) => p.available).map((p) => p.encoder)),
      jobSlots: this.config.jobs.slots,
      jobsRunning: this.jobCount(),
    };
  }
}
