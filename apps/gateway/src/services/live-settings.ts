import type { GatewayConfig, GatewayReloadableConfig } from '@e2gate/config';

/** What a settings reload may change without a restart (docs/operations.md § Reloading settings). */
export type ReloadableSettings = GatewayReloadableConfig;

export function reloadableOf(config: GatewayConfig): ReloadableSettings {
  const { api, refresh, authFailures } = config.limits;
  return { auth: config.auth, limits: { api, refresh, authFailures }, logLevel: config.logLevel };
}

/**
 * The gateway's reloadable settings as they are now. Made once per app from its config; readers take the current
 * value at each use (the throttler's limits, the URL-signing TTL), services that build from them (credentials)
 * listen for changes. Swapped as a whole, so no reader sees half of a reload.
 */
export class LiveSettings {
  private settings: ReloadableSettings;
  private readonly listeners: ((settings: ReloadableSettings) => Promise<void> | void)[] = [];

  constructor(initial: ReloadableSettings) {
    this.settings = initial;
  }

  get current(): ReloadableSettings {
    return this.settings;
  }

  onChange(listener: (settings: ReloadableSettings) => Promise<void> | void): void {
    this.listeners.push(listener);
  }

  /** Swaps in `next` and lets every listener rebuild from it. */
  async replace(next: ReloadableSettings): Promise<void> {
    this.settings = next;
    for (const listener of this.listeners) await listener(next);
  }
}
