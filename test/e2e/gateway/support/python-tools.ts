import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const VENV = fileURLToPath(new URL('../../../../.cache/python/bin/', import.meta.url));

/** A tool from the Python venv made by scripts/setup-python.sh; a clear error (not a skip) when it is missing. */
export function pythonTool(name: 'st' | 'openapi-spec-validator'): string {
  const path = VENV + name;
  if (!existsSync(path)) {
    throw new Error(
      `${path} is missing: run "bash scripts/setup-python.sh" (npm test runs it through setup.sh)`,
    );
  }
  return path;
}
