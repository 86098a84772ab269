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
    return this.coordinator.request(loggableReason(command.reason));
  }
}

/** The gateway's own descriptions (`api`, `api, reason of 12 characters`) hold no user text. */
const DESCRIBED_REASON = /^[a-z]{1,20}(, reason of \d{1,6} characters)?$/;

/** The reason as the logs may show it: a described one as it is, free text someone typed only by its length. */
export function loggableReason(reason: string | undefined): string {
  if (reason === undefined) return 'command';
  return DESCRIBED_REASON.test(reason) ? reason : `command, reason of ${[...reason].length} characters`;
}
