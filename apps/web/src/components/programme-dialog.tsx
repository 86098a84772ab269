import { useEffect, useRef } from 'preact/hooks';
import { formatDay, formatTime, t } from '../lib/i18n.js';
import { navigate } from '../lib/router.js';
import { can } from '../lib/session.js';
import type { Channel, EpgEvent, Me } from '../lib/types.js';

/** A programme's details in a modal dialog; "watch now" while it is on air. */
export function ProgrammeDialog({
  event,
  channel,
  me,
  onClose,
}: {
  event: EpgEvent;
  channel: Channel;
  me: Me;
  onClose(): void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    dialog.current?.showModal();
  }, []);
  const now = Date.now() / 1000;
  const onAir = event.start <= now && event.stop > now;
  return (
    <dialog ref={dialog} class="programme-dialog" aria-labelledby="programme-title" onClose={onClose}>
      <h2 id="programme-title">{event.title}</h2>
      {event.subtitle ? <p class="muted">{event.subtitle}</p> : null}
      <p>
        {channel.number} · {channel.name} · {formatDay(event.start)} {formatTime(event.start)}–
        {formatTime(event.stop)}
        {event.genre ? ` · ${event.genre}` : ''}
      </p>
      {event.description ? <p class="description">{event.description}</p> : null}
      <div class="actions">
        {onAir && can(me, 'stream') ? (
          <button type="button" class="primary" onClick={() => navigate(`/watch/${channel.id}`)}>
            {t('guide.watchNow')}
          </button>
        ) : null}
        <button type="button" onClick={() => dialog.current?.close()}>
          {t('common.close')}
        </button>
      </div>
    </dialog>
  );
}
