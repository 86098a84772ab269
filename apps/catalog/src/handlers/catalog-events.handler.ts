import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { CatalogRefreshedEvent, CatalogRefreshFailedEvent, Subject } from '@e2gate/contracts';
import { RefreshCoordinator } from '../services/refresh-coordinator.service.js';

/** Follows refreshes done by other catalog replicas (every replica receives the events). */
@Controller()
export class CatalogEventsHandler {
  constructor(private readonly coordinator: RefreshCoordinator) {}

  @EventPattern(Subject.CatalogEvtRefreshed)
  refreshed(@Payload() event: CatalogRefreshedEvent) {
    return this.coordinator.syncFromCluster(event.refreshId, event.partial === true);
  }

  @EventPattern(Subject.CatalogEvtRefreshFailed)
  refreshFailed(@Payload() event: CatalogRefreshFailedEvent) {
    return this.coordinator.syncFromCluster(event.refreshId);
  }
}
