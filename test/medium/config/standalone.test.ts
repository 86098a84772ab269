import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

// The launcher (`npm start`) and the benches import @e2gate/config in a plain Node process, without the
// `reflect-metadata` the apps load first: the library must not pull in the contracts' decorated classes at run time
// (a type import is fine). Checked on the built output, which is what `npm start` runs.
const built = fileURLToPath(new URL('../../../dist/libs/config/src/index.js', import.meta.url));

it('loads in a bare Node process, as the launcher and the benches use it', () => {
  const result = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const m = await import(${JSON.stringify(built)}); console.log(typeof m.loadStackConfig);`,
    ],
    { encoding: 'utf8', timeout: 30_000 },
  );
  expect(result.stderr).toBe('');
  expect(result.stdout.trim()).toBe('function');
});
