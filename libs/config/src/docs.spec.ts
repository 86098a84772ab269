import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CATALOG_VARIABLES } from './catalog.config.js';
import { GATEWAY_VARIABLES } from './gateway.config.js';
import { STACK_VARIABLES } from './stack.config.js';
import { TRANSCODER_VARIABLES } from './transcoder.config.js';

const reference = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');

describe('docs/configuration.md', () => {
  it.each([
    ...new Set([...CATALOG_VARIABLES, ...GATEWAY_VARIABLES, ...STACK_VARIABLES, ...TRANSCODER_VARIABLES]),
  ])('documents %s with its default', (variable) => {
    const row = reference.split('\n').find((line) => line.startsWith(`| \`${variable}\` |`));
    expect(row, `${variable} has no row in docs/configuration.md`).toBeDefined();
    expect(row!.split('|')[2]!.trim(), `${variable} has no default column`).not.toBe('');
  });
});
