import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import {
  APP_CONFIG,
  ConfigError,
  GATEWAY_RELOADABLE_VARIABLES,
  loadGatewayReloadableConfig,
  type GatewayConfig,
  type GatewayReloadableVariable,
} from '@e2gate/config';
import { setLogLevel } from '@e2gate/observability';
import { GatewayMetrics } from '../metrics/gateway.metrics.js';
import { SettingsFileError, SettingsFileRepository } from '../repositories/settings-file.repository.js';
import { LiveSettings, type ReloadableSettings } from './live-settings.js';

export interface SettingsProblem {
  variable: string;
  message: string;
}

export type ReloadOutcome =
  { ok: true; changed: GatewayReloadableVariable[] } | { ok: false; problems: SettingsProblem[] };

/** Which variable each part of the settings comes from, to say what a reload changed. */
const PART_OF: Record<GatewayReloadableVariable, (settings: ReloadableSettings) => unknown> = {
  E2GATE_API_TOKENS: (s) => s.auth.tokens,
  E2GATE_ALLOW_ANONYMOUS: (s) => s.auth.anonymousScopes,
  E2GATE_URL_SIGNING_KEY: (s) => s.auth.signingKey,
  E2GATE_URL_SIGNING_TTL: (s) => s.auth.signingTtlMs,
  E2GATE_RATE_LIMIT: (s) => s.limits.api.limit,
  E2GATE_RATE_LIMIT_WINDOW: (s) => s.limits.api.windowMs,
  E2GATE_REFRESH_RATE_LIMIT: (s) => s.limits.refresh.limit,
  E2GATE_REFRESH_RATE_LIMIT_WINDOW: (s) => s.limits.refresh.windowMs,
  E2GATE_AUTH_FAILURE_LIMIT: (s) => s.limits.authFailures.limit,
  E2GATE_AUTH_FAILURE_WINDOW: (s) => s.limits.authFailures.windowMs,
  LOG_LEVEL: (s) => s.logLevel,
};

/**
 * Reloads tokens, rate limits, URL signing and the log level from `E2GATE_SETTINGS_FILE` without a restart, on
 * SIGHUP or `POST /api/v1/admin/reload`: load → validate (the rules of the start) → swap. A file that does not
 * validate is refused with a log line naming each problem, and the running settings stay. Without a settings file
 * a reload has nothing to read and says so.
 */
@Injectable()
export class SettingsReloadService implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SettingsReloadService.name);
  private readonly onSignal = () => void this.reload('SIGHUP');
  private running: Promise<ReloadOutcome> | null = null;
  private applied: readonly string[] = [];

  constructor(
    @Inject(APP_CONFIG) private readonly config: GatewayConfig,
    private readonly live: LiveSettings,
    private readonly file: SettingsFileRepository,
    private readonly metrics: GatewayMetrics,
  ) {}

  /** A settings file that does not validate stops the start, like an invalid variable. */
  async onModuleInit(): Promise<void> {
    if (!this.config.settingsFile) return;
    const outcome = await this.reload('start');
    if (!outcome.ok) throw new ConfigError(outcome.problems);
  }

  onApplicationBootstrap(): void {
    process.on('SIGHUP', this.onSignal);
  }

  onApplicationShutdown(): void {
    process.off('SIGHUP', this.onSignal);
  }

  /** The variables the settings file set when it was last applied (they go over the environment's). */
  get fromFile(): readonly string[] {
    return this.applied;
  }

  /** One reload at a time: a second request while one runs gets its outcome. */
  reload(trigger: 'start' | 'SIGHUP' | 'api'): Promise<ReloadOutcome> {
    this.running ??= this.apply(trigger).finally(() => (this.running = null));
    return this.running;
  }

  private async apply(trigger: string): Promise<ReloadOutcome> {
    const path = this.config.settingsFile;
    if (!path) {
      return this.rejected(trigger, [
        { variable: 'E2GATE_SETTINGS_FILE', message: 'is not set: there is no settings file to reload' },
      ]);
    }
    let next: ReloadableSettings;
    let values: Record<string, string>;
    try {
      values = await this.file.read(path);
      const unknown = Object.keys(values).filter(
        (name) => !(GATEWAY_RELOADABLE_VARIABLES as readonly string[]).includes(name),
      );
      if (unknown.length > 0) {
        return this.rejected(
          trigger,
          unknown.map((variable) => ({
            variable,
            message: 'cannot be changed by a reload (set it and restart)',
          })),
        );
      }
      next = loadGatewayReloadableConfig({ ...this.config.reloadableEnv, ...values });
    } catch (error) {
      if (error instanceof ConfigError) return this.rejected(trigger, error.problems);
      if (error instanceof SettingsFileError) {
        return this.rejected(trigger, [{ variable: 'E2GATE_SETTINGS_FILE', message: error.message }]);
      }
      throw error;
    }
    const before = this.live.current;
    const changed = GATEWAY_RELOADABLE_VARIABLES.filter(
      (variable) => JSON.stringify(PART_OF[variable](before)) !== JSON.stringify(PART_OF[variable](next)),
    );
    await this.live.replace(next);
    this.applied = Object.keys(values);
    setLogLevel(next.logLevel);
    this.metrics.settingsReload('applied');
    this.logger.log(
      `settings reloaded (${trigger}) from ${path}: ${changed.length > 0 ? `changed ${changed.join(', ')}` : 'no change'}`,
    );
    return { ok: true, changed };
  }

  private rejected(trigger: string, problems: SettingsProblem[]): ReloadOutcome {
    this.metrics.settingsReload('rejected');
    this.logger.error(
      `settings reload (${trigger}) refused, the running settings stay: ` +
        problems.map((problem) => `${problem.variable}: ${problem.message}`).join('; '),
    );
    return { ok: false, problems };
  }
}
