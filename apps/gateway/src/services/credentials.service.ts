import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { ApiTokenConfig, GatewayConfig } from '@e2gate/config';
import { AnnouncerRepository } from '../repositories/announcer.repository.js';
import { SecretsRepository } from '../repositories/secrets.repository.js';
import { Authenticator } from '../auth/authenticator.js';
import { AuthFailureLimiter } from '../auth/auth-failure-limiter.js';
import { TokenRegistry } from '../auth/token-registry.js';
import { UrlSigner } from '../auth/url-signer.js';
import { LiveSettings, type ReloadableSettings } from './live-settings.js';

export const ADMIN_TOKEN_FILE = 'admin-token';
export const SIGNING_KEY_FILE = 'url-signing.key';

/**
 * Sets up who may do what, at start and again at every settings reload: the configured tokens, or (fail-closed) a
 * generated admin token kept in the data dir and printed once; the URL signing key (configured or generated);
 * anonymous scopes, loudly.
 */
@Injectable()
export class CredentialsService implements OnModuleInit {
  private readonly logger = new Logger(CredentialsService.name);
  private state: {
    authenticator: Authenticator;
    tokens: TokenRegistry;
    signer: UrlSigner;
    tokenCount: number;
    generatedAdminToken: boolean;
  } | null = null;
  readonly authFailures: AuthFailureLimiter;

  constructor(
    private readonly live: LiveSettings,
    private readonly secrets: SecretsRepository,
    private readonly announcer: AnnouncerRepository,
  ) {
    this.authFailures = new AuthFailureLimiter(live.current.limits.authFailures);
  }

  async onModuleInit(): Promise<void> {
    await this.build(this.live.current);
    this.live.onChange((settings) => this.build(settings));
  }

  private async build({ auth, limits }: ReloadableSettings): Promise<void> {
    const { tokens, generated } = await this.tokens(auth);
    const signer = new UrlSigner(await this.signingKey(auth));
    const registry = new TokenRegistry(tokens);
    this.state = {
      authenticator: new Authenticator(registry, signer, auth.anonymousScopes),
      tokens: registry,
      signer,
      tokenCount: tokens.length,
      generatedAdminToken: generated,
    };
    this.authFailures.reconfigure(limits.authFailures);
    if (auth.anonymousScopes.length > 0) {
      this.logger.warn(
        `anonymous access is ON for scope(s) ${auth.anonymousScopes.join(', ')} ` +
          '(E2GATE_ALLOW_ANONYMOUS): anyone who can reach this port can use them',
      );
    }
  }

  get authenticator(): Authenticator {
    return this.ready().authenticator;
  }

  get tokenRegistry(): TokenRegistry {
    return this.ready().tokens;
  }

  get signer(): UrlSigner {
    return this.ready().signer;
  }

  get summary(): { tokens: number; generatedAdminToken: boolean; anonymousScopes: string[] } {
    const state = this.ready();
    return {
      tokens: state.tokenCount,
      generatedAdminToken: state.generatedAdminToken,
      anonymousScopes: [...this.live.current.auth.anonymousScopes],
    };
  }

  private async tokens(
    auth: GatewayConfig['auth'],
  ): Promise<{ tokens: ApiTokenConfig[]; generated: boolean }> {
    if (auth.tokens.length > 0) return { tokens: [...auth.tokens], generated: false };
    const stored = await this.secrets.readOrCreate(
      ADMIN_TOKEN_FILE,
      () => `e2g_${this.secrets.randomBytes(32).toString('base64url')}`,
    );
    if (stored.created) {
      this.announcer.announce([
        '*'.repeat(78),
        'No E2GATE_API_TOKENS configured: generated an admin token (shown this once).',
        `  ${stored.value}`,
        `It is stored in ${stored.path} (mode 0600). Use it as "Authorization: Bearer <token>".`,
        '*'.repeat(78),
      ]);
    } else {
      this.logger.log(`no E2GATE_API_TOKENS configured: using the admin token in ${stored.path}`);
    }
    return { tokens: [{ name: 'admin', secret: stored.value, scopes: ['admin'] }], generated: true };
  }

  private async signingKey(auth: GatewayConfig['auth']): Promise<Buffer> {
    if (auth.signingKey) return Buffer.from(auth.signingKey, 'utf8');
    const stored = await this.secrets.readOrCreate(SIGNING_KEY_FILE, () =>
      this.secrets.randomBytes(32).toString('base64url'),
    );
    if (stored.created) this.logger.log(`generated the URL signing key in ${stored.path}`);
    return Buffer.from(stored.value, 'utf8');
  }

  private ready() {
    if (!this.state) throw new Error('credentials are not initialised yet');
    return this.state;
  }
}
