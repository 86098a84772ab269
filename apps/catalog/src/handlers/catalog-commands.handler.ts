import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CatalogRefreshCommand, Subject } from '@e2gate/contracts';
import { RefreshCoordinator } from '../services/refresh-coordinator.service.js';

/** `catalog.cmd.*` handlers. */
@Controller()
export class CatalogCommandsHandler {
  constructor(private readonly coordinator: RefreshCoordinator) {}

  @MessagePattern(Subject.CatalogCmdRefresh)
  refresh(@Payload() command: CatalogRefreshCommand) {
    // The reason is free text someone typed: only its length reaches the logs.
    const reason = command.reason ? `command, reason of ${command.reason.length} characters` : 'command';
    return this.coordinator.request(reason);
  }
}
