import type { z } from 'zod';

/** Thrown at boot when configuration is invalid; the message names every offending variable. */
export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(
      'Invalid configuration:\n' +
        problems.map((problem) => `  ${problem.variable}: ${problem.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

/** The one place in the codebase that reads the process environment. */
export function processEnv(): Record<string, string | undefined> {
  return process.env;
}

/**
 * Parses `env` with a schema whose keys are the variable names, then maps the result into the app's
 * typed config. Empty strings count as unset so `FOO=` in an .env file falls back to the default.
 */
export function loadConfig<S extends z.ZodObject, C>(
  schema: S,
  toConfig: (vars: z.output<S>) => C,
  env: Record<string, string | undefined>,
): Readonly<C> {
  const cleaned: Record<string, string | undefined> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    cleaned[key] = value === undefined || value.trim() === '' ? undefined : value;
  }
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => ({
        variable: String(issue.path[0] ?? '(config)'),
        message: issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message,
      })),
    );
  }
  return Object.freeze(toConfig(result.data));
}
