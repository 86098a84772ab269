import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Notice } from '../components/notice.js';
import { ProgrammeDialog } from '../components/programme-dialog.js';
import { api } from '../lib/api.js';
import { lineup, type Lineup } from '../lib/catalog.js';
import { EpgCache } from '../lib/epg-cache.js';
import { describeError } from '../lib/errors.js';
import { formatDay, formatTime, t } from '../lib/i18n.js';
import { followLink } from '../lib/router.js';
import type { Channel, EpgEvent, Me } from '../lib/types.js';

const ROW_PX = 52;
const RULER_PX = 32;
const PX_PER_MINUTE = 4;
const DAYS = 7;
const OVERSCAN_ROWS = 6;
/** "Tomorrow evening": where the day buttons jump to. */
const PRIME_TIME_HOUR = 20;

interface Viewport {
  top: number;
  left: number;
  width: number;
  height: number;
}

/** A channels × hours grid over the EPG API: only the rows and hours in view are drawn and fetched. */
export function GuidePage({ me }: { me: Me }) {
  const [data, setData] = useState<Lineup | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [viewport, setViewport] = useState<Viewport>({ top: 0, left: 0, width: 0, height: 0 });
  const [, setRevision] = useState(0);
  const [selected, setSelected] = useState<{ event: EpgEvent; channel: Channel } | null>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const cache = useMemo(() => new EpgCache(() => setRevision((n) => n + 1)), []);
  const start = useMemo(() => startOfDay(Date.now() / 1000), []);
  const nameWidth = useNameWidth();
  const now = Date.now() / 1000;

  useEffect(() => void lineup().then(setData, setError), []);
  const channels = useMemo(
    () => (data ? [...data.channels].sort((a, b) => a.number - b.number) : []),
    [data],
  );

  const measure = useCallback(() => {
    const element = scroller.current;
    if (!element) return;
    setViewport({
      top: element.scrollTop,
      left: element.scrollLeft,
      width: element.clientWidth,
      height: element.clientHeight,
    });
  }, []);
  useEffect(() => {
    addEventListener('resize', measure);
    return () => removeEventListener('resize', measure);
  }, [measure]);

  const scrollToTime = useCallback(
    (epochSeconds: number) => {
      const element = scroller.current;
      if (!element) return;
      element.scrollLeft = Math.max(
        0,
        ((epochSeconds - start) / 60) * PX_PER_MINUTE - (60 * PX_PER_MINUTE) / 2,
      );
      measure();
    },
    [start, measure],
  );
  useLayoutEffect(() => {
    if (data) scrollToTime(Date.now() / 1000);
  }, [data, scrollToTime]);

  const firstRow = Math.max(0, Math.floor(viewport.top / ROW_PX) - OVERSCAN_ROWS);
  const lastRow = Math.min(
    channels.length,
    Math.ceil((viewport.top + viewport.height) / ROW_PX) + OVERSCAN_ROWS,
  );
  const visible = channels.slice(firstRow, lastRow);
  const from = start + ((viewport.left - 0) / PX_PER_MINUTE) * 60 - 3600;
  const to = start + ((viewport.left + viewport.width) / PX_PER_MINUTE) * 60 + 3600;
  useEffect(() => {
    if (visible.length > 0)
      cache.want(
        visible.map((channel) => channel.id),
        from,
        to,
      );
  });

  if (error) return <Notice kind="error" message={describeError(error)} />;
  if (!data) return <p aria-busy="true">{t('common.loading')}</p>;

  const days = Array.from({ length: DAYS }, (_, n) => start + n * 86400);
  const hours = Array.from({ length: DAYS * 24 }, (_, n) => start + n * 3600).filter(
    (hour) => hour >= from - 3600 && hour <= to,
  );
  const x = (epochSeconds: number) => nameWidth + ((epochSeconds - start) / 60) * PX_PER_MINUTE;
  const width = nameWidth + DAYS * 24 * 60 * PX_PER_MINUTE;

  return (
    <section class="guide-page" aria-labelledby="guide-title">
      <div class="toolbar">
        <h1 id="guide-title">{t('guide.title')}</h1>
        <button type="button" onClick={() => scrollToTime(Date.now() / 1000)}>
          {t('guide.now')}
        </button>
        <div class="days" role="group" aria-label={t('guide.days')}>
          {days.map((day, n) => (
            <button
              key={day}
              type="button"
              data-day={n}
              onClick={() => scrollToTime(day + PRIME_TIME_HOUR * 3600)}
            >
              {n === 0 ? t('guide.today') : n === 1 ? t('guide.tomorrow') : formatDay(day)}
            </button>
          ))}
        </div>
      </div>
      <GuideSearch channels={data.byId} onSelect={(event, channel) => setSelected({ event, channel })} />
      <div class="guide" ref={scroller} onScroll={measure} tabIndex={0} aria-label={t('guide.grid')}>
        <div
          class="guide-canvas"
          style={{ width: `${width}px`, height: `${RULER_PX + channels.length * ROW_PX}px` }}
        >
          <div class="ruler" style={{ width: `${width}px` }}>
            {hours.map((hour) => (
              <span key={hour} class="hour" style={{ left: `${x(hour)}px` }}>
                {new Date(hour * 1000).getHours() === 0 ? `${formatDay(hour)} ` : ''}
                {formatTime(hour)}
              </span>
            ))}
          </div>
          {now > start && now < start + DAYS * 86400 ? (
            <div
              class="now-line"
              style={{ left: `${x(now)}px`, height: `${RULER_PX + channels.length * ROW_PX}px` }}
            />
          ) : null}
          {visible.map((channel, index) => (
            <div
              key={channel.id}
              class="guide-row"
              style={{ top: `${RULER_PX + (firstRow + index) * ROW_PX}px`, width: `${width}px` }}
            >
              <a
                class="guide-channel"
                href={`/watch/${channel.id}`}
                onClick={followLink}
                style={{ width: `${nameWidth}px` }}
              >
                <span class="number">{channel.number}</span> {channel.name}
              </a>
              {cache.between(channel.id, from, to).map((event) => (
                <button
                  key={event.id}
                  type="button"
                  class={event.start <= now && event.stop > now ? 'programme on-air' : 'programme'}
                  data-start={event.start}
                  style={{
                    left: `${Math.max(x(event.start), x(start))}px`,
                    width: `${Math.max(4, ((event.stop - Math.max(event.start, start)) / 60) * PX_PER_MINUTE - 2)}px`,
                  }}
                  onClick={() => setSelected({ event, channel })}
                >
                  <span class="programme-title">{event.title}</span>
                  <span class="programme-time">{formatTime(event.start)}</span>
                </button>
              ))}
            </div>
          ))}
        </div>
      </div>
      {selected ? (
        <ProgrammeDialog
          event={selected.event}
          channel={selected.channel}
          me={me}
          onClose={() => setSelected(null)}
        />
      ) : null}
    </section>
  );
}

function GuideSearch({
  channels,
  onSelect,
}: {
  channels: Map<string, Channel>;
  onSelect(event: EpgEvent, channel: Channel): void;
}) {
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<EpgEvent[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const search = async (event: Event) => {
    event.preventDefault();
    setError(null);
    try {
      const found = await api<{ items: EpgEvent[] }>(
        `/api/v1/epg/search?q=${encodeURIComponent(query)}&limit=50`,
      );
      setResults(found.items);
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <div class="guide-search">
      <form role="search" onSubmit={search}>
        <label class="visually-hidden" for="guide-query">
          {t('guide.search')}
        </label>
        <input
          id="guide-query"
          type="search"
          placeholder={t('guide.search')}
          value={query}
          onInput={(e) => setQuery(e.currentTarget.value)}
        />
        <button type="submit" disabled={query.trim().length < 2}>
          {t('guide.searchButton')}
        </button>
      </form>
      {error ? <Notice kind="error" message={describeError(error)} /> : null}
      {results ? (
        results.length === 0 ? (
          <p class="muted">{t('guide.noResults')}</p>
        ) : (
          <ul class="results">
            {results.map((event) => {
              const channel = channels.get(event.channelId);
              return channel ? (
                <li key={`${event.channelId}-${event.id}`}>
                  <button type="button" class="link" onClick={() => onSelect(event, channel)}>
                    {formatDay(event.start)} {formatTime(event.start)} · {channel.name} · {event.title}
                  </button>
                </li>
              ) : null;
            })}
          </ul>
        )
      ) : null}
    </div>
  );
}

function startOfDay(epochSeconds: number): number {
  const date = new Date(epochSeconds * 1000);
  date.setHours(0, 0, 0, 0);
  return date.getTime() / 1000;
}

/** The channel column: narrower on a phone. */
function useNameWidth(): number {
  const query = '(max-width: 640px)';
  const [narrow, setNarrow] = useState(() => matchMedia(query).matches);
  useEffect(() => {
    const list = matchMedia(query);
    const onChange = () => setNarrow(list.matches);
    list.addEventListener('change', onChange);
    return () => list.removeEventListener('change', onChange);
  }, []);
  return narrow ? 110 : 180;
}
