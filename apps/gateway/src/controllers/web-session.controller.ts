import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, type GatewayConfig } from '@e2gate/config';
import { HttpEdgeErrorCode } from '@e2gate/contracts';
import { Public } from '../auth/access-policy.js';
import { SignInDto, WebSessionDto } from '../dto/web-session.dto.js';
import { GatewayHttpError } from '../http/gateway-http-error.js';
import { ApiErrors } from '../http/openapi-decorators.js';
import { WebSessionsService } from '../services/web-sessions.service.js';
import { clearedSessionCookie, sessionCookie, sessionCookieOf } from '../web/session-cookie.js';

/**
 * `/api/v1/auth/session`: the web app's sign-in. A token is exchanged for an `HttpOnly` cookie, so no script and
 * no URL ever holds it; state-changing calls made with the cookie need the session's CSRF token as well.
 */
@ApiTags('auth')
@Controller('api/v1/auth/session')
export class WebSessionController {
  constructor(
    private readonly sessions: WebSessionsService,
    @Inject(APP_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Post()
  @Public()
  @ApiOperation({
    summary: 'Signs a browser in: exchanges an API token for a session cookie',
    description:
      'Sets `e2gate_session` (HttpOnly, SameSite=Strict, Secure over HTTPS) for E2GATE_WEB_SESSION_TTL. Wrong ' +
      'tokens count towards the same failure limit as every other credential.',
  })
  @ApiCreatedResponse({ type: WebSessionDto, description: 'Signed in; the cookie is set' })
  @ApiErrors(400, 401, 403, 415, 429, 503)
  async signIn(
    @Body() body: SignInDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<WebSessionDto> {
    refuseCrossSiteForm(request, this.config.publicUrl);
    const { value, session } = await this.sessions.signIn(body.token, request.ip);
    void reply.header('set-cookie', sessionCookie(value, this.sessions.ttlSeconds, this.isSecure(request)));
    return {
      kind: 'session',
      name: session.principal.name,
      scopes: [...session.principal.scopes].sort(),
      csrfToken: session.record.csrfToken,
      expiresAt: session.record.expiresAt,
    };
  }

  @Get()
  @Public()
  @ApiOperation({
    summary:
      'Who is calling: the browser session (with its CSRF token), the bearer token, anonymous or nobody',
  })
  @ApiOkResponse({ type: WebSessionDto })
  @ApiErrors(429)
  async current(
    @Headers('cookie') cookie: string | undefined,
    @Headers('authorization') authorization: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<WebSessionDto> {
    void reply.header('cache-control', 'no-store');
    return this.sessions.describe(sessionCookieOf(cookie), authorization);
  }

  @Delete()
  @Public()
  @HttpCode(204)
  @ApiOperation({
    summary: 'Signs the browser out: the session ends on every replica and the cookie is cleared',
  })
  @ApiNoContentResponse({ description: 'Signed out (also when there was no session)' })
  @ApiErrors(403, 429)
  async signOut(
    @Headers('cookie') cookie: string | undefined,
    @Headers('x-csrf-token') csrf: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    const value = sessionCookieOf(cookie);
    const session = value === undefined ? null : await this.sessions.resolve(value);
    if (session && !this.sessions.csrfMatches(session.record, csrf)) {
      throw new GatewayHttpError(HttpEdgeErrorCode.CsrfRejected, 'sign-out needs the X-CSRF-Token header');
    }
    if (value !== undefined && session) await this.sessions.signOut(value);
    void reply.header('set-cookie', clearedSessionCookie(this.isSecure(request)));
  }

  private isSecure(request: FastifyRequest): boolean {
    return request.protocol === 'https' || (this.config.publicUrl?.startsWith('https:') ?? false);
  }
}

/**
 * Login CSRF: a page of another site can post a form here without asking first (a JSON body needs a preflight it
 * would not pass) and sign the browser in as the attacker. Only JSON is accepted, and a request that names another
 * origin is refused.
 */
function refuseCrossSiteForm(request: FastifyRequest, publicUrl: string | undefined): void {
  const type = request.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new GatewayHttpError(HttpEdgeErrorCode.UnsupportedMediaType, 'sign-in takes a JSON body');
  }
  const origin = request.headers.origin;
  if (origin === undefined) return;
  const from = URL.canParse(origin) ? new URL(origin).host : null;
  const ours = [request.host, ...(publicUrl ? [new URL(publicUrl).host] : [])];
  if (from === null || !ours.includes(from)) {
    throw new GatewayHttpError(HttpEdgeErrorCode.CsrfRejected, `sign-in from another origin (${origin})`);
  }
}
