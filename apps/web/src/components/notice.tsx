import { t } from '../lib/i18n.js';

interface Props {
  kind: 'error' | 'info';
  message: string;
  onRetry?: () => void;
}

/** A message in the page: errors are announced to screen readers at once, information politely. */
export function Notice({ kind, message, onRetry }: Props) {
  return (
    <div class={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      <span>{message}</span>
      {onRetry ? (
        <button type="button" onClick={onRetry}>
          {t('common.retry')}
        </button>
      ) : null}
    </div>
  );
}
