import { PinoLogger } from 'nestjs-pino';

/** The process's log level now (every app logger writes through nestjs-pino's root logger). */
export function currentLogLevel(): string {
  return PinoLogger.root.level;
}

/** Changes the log level of the whole process at once, without a restart (requests already running keep theirs). */
export function setLogLevel(level: string): void {
  PinoLogger.root.level = level;
}
