/** `npm run asyncapi`: writes docs/asyncapi.yaml from the contracts (scripts/asyncapi-document.ts). */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { asyncApiYaml } from './asyncapi-document.js';

const root = resolve(import.meta.dirname, '..', '..');
const { version } = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { version: string };
const target = resolve(root, 'docs', 'asyncapi.yaml');
writeFileSync(target, asyncApiYaml(version));
console.log(`wrote ${target}`);
