import { Injectable } from '@nestjs/common';
import { E2gateError, ErrorCode, type Recording } from '@e2gate/contracts';
import type { RecordingDetailDto, RecordingDto, RecordingPageDto } from '../dto/catalog-responses.dto.js';
import type { RecordingsQuery } from '../dto/query.dto.js';
import { SnapshotFollowerService } from './snapshot-follower.service.js';
import type { SnapshotView } from './snapshot-view.js';

const DEFAULT_LIMIT = 100;

/** `/api/v1/recordings`: the receiver's recordings from the snapshot this replica serves, newest first. */
@Injectable()
export class RecordingsService {
  constructor(private readonly follower: SnapshotFollowerService) {}

  list(query: RecordingsQuery): RecordingPageDto {
    const view = this.view();
    const all = view.snapshot.recordings ?? [];
    const matching = query.channel === undefined ? all : all.filter((r) => r.channelId === query.channel);
    const offset = query.offset ?? 0;
    const limit = query.limit ?? DEFAULT_LIMIT;
    return {
      version: view.version,
      total: matching.length,
      offset,
      limit,
      items: matching.slice(offset, offset + limit).map(recordingDto),
    };
  }

  one(id: string): RecordingDetailDto {
    const view = this.view();
    const recording = view.snapshot.recordings?.find((r) => r.id === id);
    if (!recording) throw new E2gateError(ErrorCode.NotFound, `no recording ${JSON.stringify(id)}`);
    return { version: view.version, recording: recordingDto(recording) };
  }

  private view(): SnapshotView {
    const view = this.follower.current;
    if (!view) throw new E2gateError(ErrorCode.NoSnapshot, 'no catalog snapshot yet');
    return view;
  }
}

/** The public shape: the file's path and service reference on the receiver stay inside. */
function recordingDto(recording: Recording): RecordingDto {
  const { file: _file, ref: _ref, ...visible } = recording;
  return visible;
}
