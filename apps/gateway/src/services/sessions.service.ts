import { Injectable } from '@nestjs/common';
import { E2gateError, ErrorCode, type NodeRecord, type SessionRecord } from '@e2gate/contracts';
import { ClockRepository } from '@e2gate/observability';
import type { NodeListDto, SessionDto, SessionListDto } from '../dto/session.dto.js';
import { TranscoderRepository } from '../repositories/transcoder.repository.js';
import { StreamService } from './stream.service.js';

/** `/api/v1/sessions` and `/api/v1/nodes` (admin): what the transcoders run, from their KV records. */
@Injectable()
export class SessionsService {
  constructor(
    private readonly transcoder: TranscoderRepository,
    private readonly streams: StreamService,
    private readonly clock: ClockRepository,
  ) {}

  async list(): Promise<SessionListDto> {
    const records = await this.transcoder.sessions();
    const sessions = records
      .map((record) => this.toDto(record))
      .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    const transponders = new Set(records.map((record) => record.transponder).filter((t) => t !== null));
    return { sessions, tunersInUse: transponders.size };
  }

  /** Stops a session for every viewer; `NOT_FOUND` when no transcoder runs it. */
  async stop(sessionId: string): Promise<void> {
    const record = (await this.transcoder.sessions()).find((candidate) => candidate.sessionId === sessionId);
    if (!record) throw new E2gateError(ErrorCode.NotFound, `no live session ${JSON.stringify(sessionId)}`);
    await this.streams.stop(sessionId);
  }

  async nodes(): Promise<NodeListDto> {
    const nodes = (await this.transcoder.nodes()).map((node: NodeRecord) => ({
      id: node.nodeId,
      bootId: node.bootId,
      version: node.version,
      engine: node.engine,
      cpus: node.cpus,
      capacity: node.capacity,
      sessions: node.sessions,
      load: node.load,
      encoders: node.encoders,
      encoderProbe: node.encoderProbe ?? [],
      transcodeCapacity: node.transcodeCapacity ?? 0,
      transcodeSessions: node.transcodeSessions ?? 0,
      startedAt: node.startedAt,
      heartbeatAt: node.heartbeatAt,
    }));
    return { nodes: nodes.sort((a, b) => a.id.localeCompare(b.id)) };
  }

  private toDto(record: SessionRecord): SessionDto {
    return {
      id: record.sessionId,
      channelId: record.channelId,
      channelName: record.channelName,
      profile: record.profile,
      node: record.node,
      state: record.state,
      viewers: record.viewers,
      bitrateBps: record.bitrateBps,
      startedAt: record.startedAt,
      uptimeSeconds: Math.max(0, Math.round((this.clock.nowMs() - Date.parse(record.startedAt)) / 1000)),
      upstreamReconnects: record.reconnects,
      bytesIn: record.bytesIn,
      bytesOut: record.bytesOut,
      warnings: record.warnings,
      transponder: record.transponder,
      delivery: record.delivery,
      ...(record.encoder ? { encoder: record.encoder } : {}),
    };
  }
}
