import { ApiError } from './api.js';
import { t, type MessageKey } from './i18n.js';

/** What a person should read for an API error code: the cause in their words, not "request failed". */
const MESSAGES: Record<string, MessageKey> = {
  TUNERS_BUSY: 'error.tunersBusy',
  CAPACITY: 'error.capacity',
  FORBIDDEN: 'error.forbidden',
  UNAUTHORIZED: 'error.unauthorized',
  NOT_FOUND: 'error.notFound',
  RATE_LIMITED: 'error.rateLimited',
  NO_SNAPSHOT: 'error.noSnapshot',
  NETWORK: 'error.network',
  CSRF_REJECTED: 'error.csrf',
  JOB_QUEUE_FULL: 'error.queueFull',
  RECEIVER_STREAM_REFUSED: 'error.streamRefused',
  TIMEOUT: 'error.timeout',
};

export function describeError(error: unknown): string {
  if (!(error instanceof ApiError))
    return t('error.generic', { detail: String((error as Error)?.message ?? error) });
  const key = MESSAGES[error.code] ?? (error.code.startsWith('RECEIVER_') ? 'error.receiver' : undefined);
  return key ? t(key) : t('error.generic', { detail: `${error.code}: ${error.message}` });
}
