import { Injectable } from '@nestjs/common';
import { Subject, type TranscoderSessionClosedEvent } from '@e2gate/contracts';
import { NatsClientService } from '@e2gate/nats';

/** Publishes the transcoder's session events. */
@Injectable()
export class SessionEventsRepository {
  constructor(private readonly client: NatsClientService) {}

  closed(event: TranscoderSessionClosedEvent): Promise<void> {
    return this.client.publish(Subject.TranscoderEvtSessionClosed, event);
  }
}
