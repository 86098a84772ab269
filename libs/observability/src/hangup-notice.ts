import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';

/** The apps of this process with nothing to reload (one in production, several in tests), behind one listener. */
const apps = new Map<HangupNotice, string>();
const notice = () => {
  for (const name of new Set(apps.values())) {
    new Logger('Signals').warn(
      `SIGHUP ignored: the ${name} has no settings to reload (restart it to apply new settings)`,
    );
  }
};

/**
 * SIGHUP ends a Node process unless something listens for it. The gateway reloads its settings on it; an app with
 * nothing to reload (catalog, transcoder) says so and keeps running, so that a `kill -HUP` sent to every e2gate
 * process (a configuration-management "reload", log rotation) does not end live viewers or a refresh.
 */
@Injectable()
export class HangupNotice implements OnModuleInit, OnApplicationShutdown {
  constructor(private readonly appName: string) {}

  onModuleInit(): void {
    if (apps.size === 0) process.on('SIGHUP', notice);
    apps.set(this, this.appName);
  }

  onApplicationShutdown(): void {
    apps.delete(this);
    if (apps.size === 0) process.off('SIGHUP', notice);
  }
}
