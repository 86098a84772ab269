import { ConfigError } from './load.js';

/**
 * Runs an app's config loader at boot; an invalid config stops the process with exit code 1 and a message naming
 * every bad variable (`<app>: Invalid configuration: …`). Any other error is not a config problem and is rethrown.
 */
export function loadConfigOrExit<C>(load: () => C, app: string): C {
  try {
    return load();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`${app}: ${error.message}`);
    return process.exit(1);
  }
}
