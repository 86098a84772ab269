import { describe, expect, it } from 'vitest';
import type { RoutePolicy } from './access-policy.js';
import { Authenticator, type PresentedCredentials } from './authenticator.js';
import { TokenRegistry } from './token-registry.js';
import { UrlSigner } from './url-signer.js';

const READ = 'read-secret-0123456789';
const ADMIN = 'admin-secret-0123456789';
const tokens = new TokenRegistry([
  { name: 'reader', secret: READ, scopes: ['read'] },
  { name: 'ops', secret: ADMIN, scopes: ['admin'] },
]);
const signer = new UrlSigner(Buffer.from('s'.repeat(32)));
const NOW = 1_800_000_000;

const api: RoutePolicy = { scope: 'read', queryToken: false, signed: false, deviceKey: false };
const stream: RoutePolicy = { scope: 'stream', queryToken: true, signed: true, deviceKey: false };
const hdhr: RoutePolicy = { scope: 'read', queryToken: true, signed: false, deviceKey: true };
const admin: RoutePolicy = { scope: 'admin', queryToken: false, signed: false, deviceKey: false };

const at = (path: string, extra: Partial<PresentedCredentials> = {}): PresentedCredentials => ({
  path,
  ...extra,
});
const outcome = (decision: ReturnType<Authenticator['decide']>) =>
  decision.ok
    ? `ok:${decision.principal?.name ?? 'public'}`
    : `${decision.code}${decision.badCredential ? '!' : ''}`;

describe('Authenticator (fail-closed)', () => {
  const auth = new Authenticator(tokens, signer, []);

  it.each([
    ['no credentials', api, at('/api/v1/status'), 'UNAUTHORIZED'],
    ['bearer', api, at('/api/v1/status', { authorization: `Bearer ${READ}` }), 'ok:reader'],
    ['bearer, lower-case scheme', api, at('/x', { authorization: `bearer ${READ}` }), 'ok:reader'],
    ['wrong bearer', api, at('/x', { authorization: 'Bearer nope-nope-nope-nope' }), 'UNAUTHORIZED!'],
    ['basic auth', api, at('/x', { authorization: 'Basic cm9vdDpodW50ZXIy' }), 'UNAUTHORIZED!'],
    ['query token on an API route', api, at('/x', { queryToken: READ }), 'UNAUTHORIZED'],
    [
      'query token on a player route, wrong scope',
      stream,
      at('/stream/a', { queryToken: READ }),
      'FORBIDDEN',
    ],
    ['admin token on a player route', stream, at('/stream/a', { queryToken: ADMIN }), 'ok:ops'],
    ['read token on an admin route', admin, at('/r', { authorization: `Bearer ${READ}` }), 'FORBIDDEN'],
    ['admin token on an admin route', admin, at('/r', { authorization: `Bearer ${ADMIN}` }), 'ok:ops'],
  ])('%s', (_name, policy, presented, expected) => {
    expect(outcome(auth.decide(policy, presented, NOW))).toBe(expected);
  });

  it('lets the public through without looking at anything', () => {
    const policy: RoutePolicy = { scope: 'public', queryToken: false, signed: false, deviceKey: false };
    expect(outcome(auth.decide(policy, at('/healthz', { authorization: 'garbage' }), NOW))).toBe('ok:public');
  });

  it('accepts signatures for their scope and path only', () => {
    const sig = signer.sign('stream', '/stream/a-00000000', NOW + 10);
    const exp = String(NOW + 10);
    expect(outcome(auth.decide(stream, at('/stream/a-00000000', { sig, exp }), NOW))).toBe('ok:signed-url');
    expect(outcome(auth.decide(stream, at('/stream/b-00000000', { sig, exp }), NOW))).toBe(
      'SIGNATURE_INVALID!',
    );
    expect(outcome(auth.decide(stream, at('/stream/a-00000000', { sig, exp }), NOW + 11))).toBe(
      'SIGNATURE_EXPIRED',
    );
    const readSig = signer.sign('read', '/stream/a-00000000', null);
    expect(outcome(auth.decide(stream, at('/stream/a-00000000', { sig: readSig }), NOW))).toBe(
      'SIGNATURE_INVALID!',
    );
    expect(outcome(auth.decide(api, at('/api/v1/status', { sig: readSig }), NOW))).toBe('UNAUTHORIZED');
  });

  it('accepts the HDHomeRun device key on HDHomeRun routes only', () => {
    const key = signer.deviceKey();
    expect(outcome(auth.decide(hdhr, at('/hdhr/k/lineup.json', { deviceKey: key }), NOW))).toBe(
      'ok:hdhomerun',
    );
    expect(outcome(auth.decide(hdhr, at('/hdhr/k/lineup.json', { deviceKey: 'x'.repeat(32) }), NOW))).toBe(
      'UNAUTHORIZED!',
    );
    expect(outcome(auth.decide(api, at('/x', { deviceKey: key }), NOW))).toBe('UNAUTHORIZED');
  });

  it('lets a Bearer header win over other credentials', () => {
    const presented = at('/stream/a', {
      authorization: `Bearer ${ADMIN}`,
      queryToken: 'wrong-wrong-wrong-wrong',
    });
    expect(outcome(auth.decide(stream, presented, NOW))).toBe('ok:ops');
  });
});

describe('Authenticator with anonymous scopes', () => {
  const auth = new Authenticator(tokens, signer, ['read']);

  it('grants only the configured scopes to anonymous callers', () => {
    expect(outcome(auth.decide(api, at('/api/v1/status'), NOW))).toBe('ok:anonymous');
    expect(outcome(auth.decide(stream, at('/stream/a'), NOW))).toBe('UNAUTHORIZED');
    expect(outcome(auth.decide(admin, at('/r'), NOW))).toBe('UNAUTHORIZED');
  });

  it('still rejects bad credentials instead of falling back to anonymous', () => {
    expect(
      outcome(auth.decide(api, at('/x', { authorization: 'Bearer wrong-wrong-wrong-wrong' }), NOW)),
    ).toBe('UNAUTHORIZED!');
  });

  it('adds anonymous scopes to identified callers', () => {
    const streaming = new Authenticator(tokens, signer, ['stream']);
    expect(outcome(streaming.decide(stream, at('/stream/a', { queryToken: READ }), NOW))).toBe('ok:reader');
  });
});
