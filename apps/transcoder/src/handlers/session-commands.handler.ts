import { Controller } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import {
  Subject,
  TranscoderSessionCloseCommand,
  TranscoderSessionOpenRequest,
  TranscoderSessionTouchCommand,
} from '@e2gate/contracts';
import { SessionManagerService } from '../services/session-manager.service.js';

/**
 * `transcoder.cmd.session.*`: open is answered by one node of the `transcoder` queue group; touch and close are
 * heard by every node and acted on by the one running the session.
 */
@Controller()
export class SessionCommandsHandler {
  constructor(private readonly sessions: SessionManagerService) {}

  @MessagePattern(Subject.TranscoderCmdSessionOpen)
  open(@Payload() request: TranscoderSessionOpenRequest) {
    return this.sessions.open(request);
  }

  @EventPattern(Subject.TranscoderCmdSessionTouch)
  touch(@Payload() command: TranscoderSessionTouchCommand) {
    this.sessions.touch(command.sessionId, command.gateway, command.viewers);
  }

  @EventPattern(Subject.TranscoderCmdSessionClose)
  close(@Payload() command: TranscoderSessionCloseCommand) {
    return this.sessions.close(command.sessionId);
  }
}
