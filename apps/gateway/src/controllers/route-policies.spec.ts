import 'reflect-metadata';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { describe, expect, it } from 'vitest';
import { ACCESS_POLICY, type RoutePolicy } from '../auth/access-policy.js';
import { CatalogApiController } from './catalog-api.controller.js';
import { HdhomerunController, HdhomerunKeyedController } from './hdhomerun.controller.js';
import { HealthController } from './health.controller.js';
import { PiconsController } from './picons.controller.js';
import { PlaylistController } from './playlist.controller.js';
import { StreamController } from './stream.controller.js';

const controllers = [
  HealthController,
  PlaylistController,
  CatalogApiController,
  PiconsController,
  StreamController,
  HdhomerunController,
  HdhomerunKeyedController,
];

function routes() {
  return controllers.flatMap((controller) => {
    const prototype = controller.prototype as unknown as Record<string, unknown>;
    const names = new Set<string>();
    for (let proto = prototype; proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
      for (const name of Object.getOwnPropertyNames(proto)) names.add(name);
    }
    return [...names]
      .filter(
        (name) =>
          typeof prototype[name] === 'function' &&
          Reflect.hasMetadata(METHOD_METADATA, prototype[name] as object),
      )
      .map((name) => {
        const handler = prototype[name] as object;
        const policy =
          (Reflect.getMetadata(ACCESS_POLICY, handler) as RoutePolicy | undefined) ??
          (Reflect.getMetadata(ACCESS_POLICY, controller) as RoutePolicy | undefined);
        const parts = [
          Reflect.getMetadata(PATH_METADATA, controller),
          Reflect.getMetadata(PATH_METADATA, handler),
        ];
        const path = '/' + parts.filter((part: string) => part && part !== '/').join('/');
        return { route: `${controller.name}.${name} ${path}`, policy };
      });
  });
}

describe('route access policies', () => {
  it('every route declares who may call it', () => {
    const undeclared = routes()
      .filter((route) => route.policy === undefined)
      .map((route) => route.route);
    expect(undeclared).toEqual([]);
  });

  const pathsWhere = (accepts: (policy: RoutePolicy) => boolean) =>
    routes()
      .filter((route) => route.policy !== undefined && accepts(route.policy))
      .map((route) => route.route.split(' ')[1]!);

  it('query tokens are accepted only on playlist, guide, HDHomeRun and stream routes', () => {
    const lax = pathsWhere((policy) => policy.queryToken);
    for (const path of lax) {
      expect(path).toMatch(
        /^(\/hdhr\/:key)?\/(playlist\.m3u|xmltv\.xml(\.gz)?|stream|discover\.json|lineup|device\.xml)/,
      );
    }
    expect(lax.length).toBe(16);
  });

  it('signatures are accepted only on URLs the gateway writes into documents (and plain HDHomeRun routes)', () => {
    const signed = pathsWhere((policy) => policy.signed);
    for (const path of signed) {
      expect(path).toMatch(/^\/(xmltv\.xml(\.gz)?|picons|stream|discover\.json|lineup|device\.xml)/);
    }
    expect(signed.length).toBe(10);
  });

  it('HDHomeRun routes take signed URLs at their plain paths and the device key under /hdhr/:key', () => {
    const hdhr = routes().filter((route) => /(discover\.json|lineup|device\.xml)/.test(route.route));
    const keyed = hdhr.filter((route) => route.route.includes(' /hdhr/:key/'));
    const plain = hdhr.filter((route) => !route.route.includes(' /hdhr/:key/'));
    expect([keyed.length, plain.length]).toEqual([6, 6]);
    for (const route of plain) {
      expect(route.policy, route.route).toEqual({
        scope: 'read',
        queryToken: true,
        signed: true,
        deviceKey: false,
      });
    }
    for (const route of keyed) {
      expect(route.policy, route.route).toEqual({
        scope: 'read',
        queryToken: true,
        signed: false,
        deviceKey: true,
      });
    }
  });

  it('only health probes are public', () => {
    const open = routes()
      .filter((route) => route.policy?.scope === 'public')
      .map((route) => route.route);
    expect(open.sort()).toEqual(['HealthController.liveness /healthz', 'HealthController.readiness /readyz']);
  });
});
