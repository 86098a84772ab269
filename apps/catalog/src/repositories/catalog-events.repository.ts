import { Injectable } from '@nestjs/common';
import { Subject, type CatalogRefreshedEvent, type CatalogRefreshFailedEvent } from '@e2gate/contracts';
import { NatsClientService } from '@e2gate/nats';

/** Publishes the catalog's events. */
@Injectable()
export class CatalogEventsRepository {
  constructor(private readonly client: NatsClientService) {}

  refreshed(event: CatalogRefreshedEvent): Promise<void> {
    return this.client.publish(Subject.CatalogEvtRefreshed, event);
  }

  refreshFailed(event: CatalogRefreshFailedEvent): Promise<void> {
    return this.client.publish(Subject.CatalogEvtRefreshFailed, event);
  }
}
