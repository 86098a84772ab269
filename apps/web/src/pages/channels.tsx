import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Notice } from '../components/notice.js';
import { Picon } from '../components/picon.js';
import { channelsOf, lineup, nowNext, type Lineup } from '../lib/catalog.js';
import { useChannelDigits } from '../lib/digits.js';
import { describeError } from '../lib/errors.js';
import { formatTime, t } from '../lib/i18n.js';
import { followLink, navigate } from '../lib/router.js';
import { can } from '../lib/session.js';
import type { BriefEvent, Channel, Me, NowNext } from '../lib/types.js';

const ALL = 'all';
const NOW_NEXT_REFRESH_MS = 60_000;

export function ChannelsPage({ me }: { me: Me }) {
  const [data, setData] = useState<Lineup | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [programmes, setProgrammes] = useState<Map<string, NowNext>>(new Map());
  const [filter, setFilter] = useState('');
  const [now, setNow] = useState(() => Date.now() / 1000);
  const bouquet = new URLSearchParams(location.search).get('bouquet') ?? ALL;
  const list = useRef<HTMLUListElement>(null);

  const load = useCallback(() => {
    setError(null);
    lineup().then(setData, setError);
  }, []);
  useEffect(load, [load]);
  useEffect(() => {
    const refresh = () => {
      setNow(Date.now() / 1000);
      nowNext().then(setProgrammes, () => undefined);
    };
    refresh();
    const timer = setInterval(refresh, NOW_NEXT_REFRESH_MS);
    return () => clearInterval(timer);
  }, []);

  const shown = useMemo(() => {
    if (!data) return [];
    const needle = filter.trim().toLowerCase();
    const channels = channelsOf(data, bouquet);
    return needle === ''
      ? channels
      : channels.filter(
          (channel) => channel.name.toLowerCase().includes(needle) || String(channel.number) === needle,
        );
  }, [data, bouquet, filter]);

  const typed = useChannelDigits(
    useCallback(
      (number: number) => {
        const link = list.current?.querySelector<HTMLAnchorElement>(`a[data-number="${number}"]`);
        if (link) {
          link.focus();
          link.scrollIntoView({ block: 'nearest' });
        }
      },
      [list],
    ),
  );

  if (error) return <Notice kind="error" message={describeError(error)} onRetry={load} />;
  if (!data) return <p aria-busy="true">{t('common.loading')}</p>;

  const onListKey = (event: KeyboardEvent) => {
    const links = [...(list.current?.querySelectorAll<HTMLAnchorElement>('a.channel') ?? [])];
    const at = links.indexOf(document.activeElement as HTMLAnchorElement);
    const move = { ArrowDown: 1, ArrowUp: -1, PageDown: 10, PageUp: -10 }[event.key];
    let target: number | null =
      move === undefined ? null : Math.max(0, Math.min(links.length - 1, at + move));
    if (event.key === 'Home') target = 0;
    if (event.key === 'End') target = links.length - 1;
    if (target === null) return;
    event.preventDefault();
    links[target]?.focus();
  };
  const tabs = [{ id: ALL, name: t('channels.all') }, ...data.bouquets];
  const selectBouquet = (id: string) =>
    navigate(id === ALL ? '/channels' : `/channels?bouquet=${encodeURIComponent(id)}`, { replace: true });
  const onTabKey = (event: KeyboardEvent, index: number) => {
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (step === 0) return;
    event.preventDefault();
    const next = tabs[(index + step + tabs.length) % tabs.length] as { id: string };
    selectBouquet(next.id);
    document.getElementById(`tab-${next.id}`)?.focus();
  };

  return (
    <section class="channels-page" aria-labelledby="channels-title">
      <div class="toolbar">
        <h1 id="channels-title">{t('channels.title')}</h1>
        <label class="visually-hidden" for="channel-filter">
          {t('channels.filter')}
        </label>
        <input
          id="channel-filter"
          type="search"
          placeholder={t('channels.filter')}
          value={filter}
          onInput={(e) => setFilter(e.currentTarget.value)}
        />
      </div>
      <div class="tabs" role="tablist" aria-label={t('channels.bouquets')}>
        {tabs.map((tab, index) => (
          <button
            key={tab.id}
            id={`tab-${tab.id}`}
            type="button"
            role="tab"
            aria-selected={tab.id === bouquet}
            aria-controls="channel-list"
            tabIndex={tab.id === bouquet ? 0 : -1}
            onClick={() => selectBouquet(tab.id)}
            onKeyDown={(e) => onTabKey(e, index)}
          >
            {tab.name}
          </button>
        ))}
      </div>
      {typed ? (
        <div class="digits" role="status">
          {typed}
        </div>
      ) : null}
      {!can(me, 'stream') ? <Notice kind="info" message={t('channels.noStream')} /> : null}
      {shown.length === 0 ? <p class="muted">{t('channels.none')}</p> : null}
      <div id="channel-list" role="tabpanel" aria-labelledby={`tab-${bouquet}`}>
        <ul class="channel-list" ref={list} onKeyDown={onListKey}>
          {shown.map((channel) => (
            <ChannelRow
              key={channel.id}
              channel={channel}
              programmes={programmes.get(channel.id)}
              now={now}
            />
          ))}
        </ul>
      </div>
    </section>
  );
}

function ChannelRow({
  channel,
  programmes,
  now,
}: {
  channel: Channel;
  programmes?: NowNext | undefined;
  now: number;
}) {
  const current = programmes?.now ?? null;
  const next = programmes?.next ?? null;
  return (
    <li>
      <a class="channel" href={`/watch/${channel.id}`} data-number={channel.number} onClick={followLink}>
        <span class="number">{channel.number}</span>
        <Picon channel={channel} />
        <span class="channel-text">
          <span class="channel-name">{channel.name}</span>
          {current ? (
            <NowLine event={current} now={now} />
          ) : (
            <span class="muted small">{t('channels.noEpg')}</span>
          )}
          {next ? (
            <span class="muted small next">
              {t('channels.next', { time: formatTime(next.start), title: next.title })}
            </span>
          ) : null}
        </span>
      </a>
    </li>
  );
}

function NowLine({ event, now }: { event: BriefEvent; now: number }) {
  const length = Math.max(1, event.stop - event.start);
  const done = Math.min(length, Math.max(0, now - event.start));
  return (
    <span class="now">
      <span class="small">
        {formatTime(event.start)} {event.title}
      </span>
      <progress max={length} value={done} aria-label={t('channels.progress', { title: event.title })} />
    </span>
  );
}
