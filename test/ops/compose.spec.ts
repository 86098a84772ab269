import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv } from 'ajv';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { knownVariables, NODE_FLAGS } from '@e2gate/config';
import { NATS_ROLES } from '@e2gate/nats';

// No Docker engine here, so no `docker compose config`: the compose files are checked against the Compose
// Specification's JSON schema (as shipped by dclint) and against what e2gate needs of them.

interface ComposeVolume {
  type?: string;
  source?: string;
  target?: string;
  read_only?: boolean;
  volume?: { subpath?: string };
}
interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: (string | ComposeVolume)[];
  ports?: string[];
  depends_on?: string[] | Record<string, { condition: string }>;
  profiles?: string[];
  healthcheck?: { test?: string[]; disable?: boolean };
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

// dclint's package exports do not name the schema file: find the package, then the file beside its manifest.
const dclintRoot = dirname(createRequire(import.meta.url).resolve('dclint/package.json'));
const schema = JSON.parse(readFileSync(join(dclintRoot, 'schemas', 'compose.schema.json'), 'utf8')) as Record<
  string,
  unknown
>;
// It names draft-07 by an https URL that Ajv does not know (Ajv's own draft-07 is the same meta-schema).
delete schema['$schema'];
const validate = new Ajv({ allErrors: true, strict: false, validateFormats: false }).compile(schema);

function load(path: string): ComposeFile {
  return yaml.load(readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8')) as ComposeFile;
}

const E2GATE_APPS = ['catalog', 'gateway', 'transcoder'] as const;

/** The Node flags of a command line (`--enable-source-maps` aside): they must be the app's `NODE_FLAGS`. */
const nodeFlagsIn = (command: readonly string[]) =>
  command.filter((part) => part.startsWith('--') && part !== '--enable-source-maps');

describe('package.json start scripts', () => {
  it('run every app with its Node flags (libs/config/src/node-flags.ts)', () => {
    const { scripts } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      scripts: Record<string, string>;
    };
    for (const app of E2GATE_APPS) {
      expect(nodeFlagsIn(scripts[`start:${app}`]!.split(' ')), app).toEqual([...NODE_FLAGS[app]]);
    }
  });
});

describe.each(['docker-compose.yml', 'deploy/compose.cluster.yml'])('%s', (path) => {
  const compose = load(path);
  const services = Object.entries(compose.services);

  it('is valid under the Compose Specification schema (which does refuse a broken copy)', () => {
    const valid = validate(compose);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(valid).toBe(true);
    const broken = structuredClone(compose);
    const [first] = Object.values(broken.services) as Record<string, unknown>[];
    first!['restart_policy'] = 'always';
    first!['ports'] = 8080;
    expect(validate(broken)).toBe(false);
  });

  it('depends only on services it defines, and mounts only volumes it declares', () => {
    const declared = new Set(Object.keys(compose.volumes ?? {}));
    for (const [name, service] of services) {
      const dependsOn = service.depends_on ?? {};
      for (const dependency of Array.isArray(dependsOn) ? dependsOn : Object.keys(dependsOn)) {
        expect(compose.services, `${name} → ${dependency}`).toHaveProperty([dependency]);
      }
      for (const volume of service.volumes ?? []) {
        const source = typeof volume === 'string' ? volume.split(':')[0]! : (volume.source ?? '');
        if (source.startsWith('.') || source.startsWith('/')) continue;
        expect(declared, `${name} mounts ${source}`).toContain(source);
      }
    }
  });

  it('gives every e2gate service its own NATS identity, read-only, and starts it once NATS is healthy', () => {
    const apps = services.filter(([, service]) =>
      service.command?.some((part) => part.includes('dist/apps/')),
    );
    expect(apps.length).toBeGreaterThanOrEqual(3);
    for (const [name, service] of apps) {
      const role = E2GATE_APPS.find((app) =>
        service.command!.some((part) => part.includes(`dist/apps/${app}/`)),
      )!;
      expect(NATS_ROLES).toContain(role);
      const identity = (service.volumes ?? []).find(
        (volume): volume is ComposeVolume => typeof volume !== 'string' && volume.target === '/run/nats',
      );
      expect(identity, name).toMatchObject({ read_only: true, volume: { subpath: role } });
      expect(service.environment?.['E2GATE_NATS_NKEY_FILE'], name).toBe('/run/nats/seed.nk');
      const natsDependency = Object.entries(service.depends_on as Record<string, { condition: string }>).find(
        ([dependency]) => dependency.startsWith('nats'),
      );
      expect(natsDependency?.[1].condition, name).toBe('service_healthy');
      if (role === 'gateway') {
        expect(
          Object.keys(service.environment ?? {}).filter((key) => key.startsWith('E2GATE_RECEIVER_')),
        ).toEqual([]);
      }
    }
  });

  it('runs every app with its Node flags (libs/config/src/node-flags.ts)', () => {
    let checked = 0;
    for (const [name, service] of services) {
      const app = E2GATE_APPS.find((candidate) =>
        service.command?.some((part) => part.includes(`dist/apps/${candidate}/`)),
      );
      if (!app) continue;
      expect(nodeFlagsIn(service.command!), name).toEqual([...NODE_FLAGS[app]]);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(3);
  });

  it('publishes no NATS port, and starts NATS with the generated config', () => {
    const natsServers = services.filter(([, service]) => service.image?.startsWith('nats:'));
    expect(natsServers.length).toBeGreaterThanOrEqual(1);
    for (const [name, service] of natsServers) {
      expect(service.ports ?? [], name).toEqual([]);
      expect(service.command, name).toContain('-c');
      expect(service.healthcheck?.test?.join(' '), name).toContain('/healthz');
    }
  });
});

describe('.env.example', () => {
  const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
  const named = [...example.matchAll(/^#? ?((?:E2GATE|NATS|LOG)_?\w*)=/gm)].map(
    (match) => match[1] as string,
  );
  const compose = readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8');

  it('names only variables docker-compose.yml passes on (a setting in .env that reached no service was lost)', () => {
    expect(named.length).toBeGreaterThanOrEqual(15);
    for (const name of named) expect(compose, name).toContain(`\${${name}:`);
  });

  it('names only variables e2gate knows (an app warns about any other)', () => {
    const known = knownVariables();
    for (const name of named) expect(known.has(name) || name === 'LOG_LEVEL', name).toBe(true);
  });
});
