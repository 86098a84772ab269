import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const VENV = `${ROOT}.cache/python/bin/`;

/**
 * A tool from the Python venv of scripts/setup-python.sh (schemathesis, openapi-spec-validator). Runs that script
 * when the venv is missing (it installs pinned versions from PyPI); fails with its message when it cannot.
 */
export function pythonTool(name: 'st' | 'openapi-spec-validator'): string {
  const path = VENV + name;
  if (!existsSync(path)) {
    execFileSync('bash', [`${ROOT}scripts/setup-python.sh`], { stdio: 'inherit', timeout: 600_000 });
  }
  if (!existsSync(path)) throw new Error(`${path} is missing after scripts/setup-python.sh`);
  return path;
}
