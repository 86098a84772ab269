import { z } from 'zod';
import { formatDuration, parseDuration } from './duration.js';

/** Zod field builders for environment variables (always strings or undefined). */

export function integer(options: { default: number; min: number; max: number }) {
  return z
    .string()
    .trim()
    .regex(/^-?\d+$/, `must be an integer between ${options.min} and ${options.max}`)
    .transform(Number)
    .pipe(
      z
        .number()
        .min(options.min, `must be at least ${options.min}`)
        .max(options.max, `must be at most ${options.max}`),
    )
    .optional()
    .transform((value) => value ?? options.default);
}

export function duration(options: { default: string; min: string; max: string }) {
  const min = parseDuration(options.min) as number;
  const max = parseDuration(options.max) as number;
  const fallback = parseDuration(options.default) as number;
  return z
    .string()
    .trim()
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === null) {
        ctx.addIssue({ code: 'custom', message: 'must be a duration like 90s, 15m, 4h or 1h30m' });
        return z.NEVER;
      }
      if (ms < min || ms > max) {
        ctx.addIssue({
          code: 'custom',
          message: `must be between ${formatDuration(min)} and ${formatDuration(max)}`,
        });
        return z.NEVER;
      }
      return ms;
    })
    .optional()
    .transform((value) => value ?? fallback);
}

export function httpUrl() {
  return z
    .string()
    .trim()
    .refine((text) => {
      try {
        const url = new URL(text);
        return url.protocol === 'http:' || url.protocol === 'https:';
      } catch {
        return false;
      }
    }, 'must be an http:// or https:// URL')
    .transform((text) => text.replace(/\/+$/, ''));
}

export function natsUrl() {
  return z
    .string()
    .trim()
    .regex(
      /^(nats|tls|ws|wss):\/\/[^\s,]+(,(nats|tls|ws|wss):\/\/[^\s,]+)*$/,
      'must be one or more nats:// URLs',
    )
    .optional()
    .transform((value) => value ?? 'nats://127.0.0.1:4222');
}

export function csvList() {
  return z
    .string()
    .optional()
    .transform((text) =>
      (text ?? '')
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item.length > 0),
    );
}

export function optionalText(maxLength = 1024) {
  return z
    .string()
    .max(maxLength, `must be at most ${maxLength} characters`)
    .optional()
    .transform((value) => (value === undefined || value === '' ? undefined : value));
}

export function choice<T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) {
  return z
    .enum(values, { message: `must be one of ${values.join(', ')}` })
    .optional()
    .transform((value) => value ?? fallback);
}

export function host(fallback: string) {
  return z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9.:[\]-]+$/, 'must be a host name or IP address')
    .optional()
    .transform((value) => value ?? fallback);
}

export function text(fallback: string, maxLength = 4096) {
  return z
    .string()
    .max(maxLength)
    .optional()
    .transform((value) => value ?? fallback);
}

/** `true`/`false` (also `1`/`0`, `yes`/`no`, `on`/`off`, any case). */
export function boolean(fallback: boolean) {
  return z
    .string()
    .trim()
    .toLowerCase()
    .refine((value) => ['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'].includes(value), {
      message: 'must be true or false',
    })
    .transform((value) => ['true', '1', 'yes', 'on'].includes(value))
    .optional()
    .transform((value) => value ?? fallback);
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
