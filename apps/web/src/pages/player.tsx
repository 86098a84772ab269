import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { Notice } from '../components/notice.js';
import { Picon } from '../components/picon.js';
import { api } from '../lib/api.js';
import { lineup, type Lineup } from '../lib/catalog.js';
import { useChannelDigits } from '../lib/digits.js';
import { describeError } from '../lib/errors.js';
import { formatTime, languageName, t } from '../lib/i18n.js';
import { followLink, navigate } from '../lib/router.js';
import { can } from '../lib/session.js';
import type { BriefEvent, Me, NowNext, Page } from '../lib/types.js';
import { LivePlayer, type PlayerView } from '../player/live-player.js';

const OVERLAY_MS = 5000;
const SEEK_BACK_S = 60;

export function PlayerPage({ channelId, me }: { channelId: string; me: Me }) {
  const video = useRef<HTMLVideoElement>(null);
  const frame = useRef<HTMLDivElement>(null);
  const player = useRef<LivePlayer | null>(null);
  const [data, setData] = useState<Lineup | null>(null);
  const [view, setView] = useState<PlayerView | null>(null);
  const [programmes, setProgrammes] = useState<NowNext | null>(null);
  const [overlay, setOverlay] = useState(true);
  const [position, setPosition] = useState(0);
  const [muted, setMuted] = useState(false);
  const [loadError, setLoadError] = useState<unknown>(null);

  useEffect(() => void lineup().then(setData, setLoadError), []);
  const channel = data?.byId.get(channelId) ?? null;
  const ordered = data?.byNumber ?? [];
  const at = ordered.findIndex((candidate) => candidate.id === channelId);
  const neighbour = (step: number) => ordered[(at + step + ordered.length) % ordered.length];

  useEffect(() => {
    if (!video.current || !channel || !can(me, 'stream')) return;
    const instance = new LivePlayer(video.current, setView);
    player.current = instance;
    void instance.load(channel.hlsPath);
    setOverlay(true);
    const hide = setTimeout(() => setOverlay(false), OVERLAY_MS);
    return () => {
      clearTimeout(hide);
      instance.destroy();
      player.current = null;
    };
  }, [channel, me]);

  useEffect(() => {
    if (!channel) return;
    const load = () =>
      api<Page<NowNext>>(`/api/v1/epg/now-next?channel=${channel.id}`).then(
        (page) => setProgrammes(page.items[0] ?? null),
        () => undefined,
      );
    void load();
    const timer = setInterval(() => void load(), 60_000);
    return () => clearInterval(timer);
  }, [channel]);

  const zap = useCallback((id: string | undefined) => id && navigate(`/watch/${id}`), []);
  const typed = useChannelDigits(
    useCallback(
      (number: number) => zap(data?.channels.find((candidate) => candidate.number === number)?.id),
      [data, zap],
    ),
  );

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement;
      if (/^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName) || event.ctrlKey || event.metaKey) return;
      const element = video.current;
      const actions: Record<string, () => void> = {
        PageUp: () => zap(neighbour(-1)?.id),
        PageDown: () => zap(neighbour(1)?.id),
        ArrowLeft: () => player.current?.seekBy(-10),
        ArrowRight: () => player.current?.seekBy(10),
        f: () => void toggleFullscreen(frame.current),
        m: () => element && (element.muted = !element.muted),
        i: () => setOverlay((shown) => !shown),
        ' ': () => element && (element.paused ? void element.play() : element.pause()),
      };
      const action = actions[event.key];
      if (!action || (event.key === ' ' && target.tagName === 'BUTTON')) return;
      event.preventDefault();
      action();
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  });

  if (loadError) return <Notice kind="error" message={describeError(loadError)} />;
  if (!data) return <p aria-busy="true">{t('common.loading')}</p>;
  if (!channel) return <Notice kind="error" message={t('error.notFound')} />;
  if (!can(me, 'stream')) return <Notice kind="error" message={t('error.forbidden')} />;

  const behind = view ? Math.max(0, view.liveEdge - position) : 0;
  const live = behind < 8;
  return (
    <section class="player-page" aria-label={channel.name}>
      <div class="player" ref={frame}>
        <video
          ref={video}
          id="live-video"
          playsinline
          onTimeUpdate={(e) => setPosition(e.currentTarget.currentTime)}
          onVolumeChange={(e) => setMuted(e.currentTarget.muted)}
          onClick={() => setOverlay((shown) => !shown)}
          aria-label={t('player.video', { channel: channel.name })}
        />
        {overlay ? (
          <ProgrammeOverlay name={channel.name} number={channel.number} programmes={programmes} />
        ) : null}
        {typed ? (
          <div class="digits" role="status">
            {typed}
          </div>
        ) : null}
        {view?.error ? (
          <div class="player-error">
            <Notice
              kind="error"
              message={describeError(view.error)}
              onRetry={() => void player.current?.load(channel.hlsPath)}
            />
          </div>
        ) : null}
      </div>
      <div class="controls" role="group" aria-label={t('player.controls')}>
        <button type="button" onClick={() => zap(neighbour(-1)?.id)} aria-label={t('player.previous')}>
          ▲
        </button>
        <button type="button" onClick={() => zap(neighbour(1)?.id)} aria-label={t('player.next')}>
          ▼
        </button>
        <button type="button" onClick={() => player.current?.seekBy(-SEEK_BACK_S)} id="seek-back">
          {t('player.back', { seconds: SEEK_BACK_S })}
        </button>
        <label class="timeshift">
          <span class="visually-hidden">{t('player.timeshift')}</span>
          <input
            type="range"
            min={view?.windowStart ?? 0}
            max={view?.liveEdge ?? 0}
            step={1}
            value={position}
            disabled={!view || view.liveEdge - view.windowStart < 10}
            onChange={(e) => player.current?.seekTo(Number(e.currentTarget.value))}
            aria-valuetext={live ? t('player.live') : t('player.behind', { seconds: Math.round(behind) })}
          />
        </label>
        <button
          type="button"
          id="go-live"
          class={live ? 'live on' : 'live'}
          aria-pressed={live}
          onClick={() => player.current?.goLive()}
        >
          {live ? t('player.live') : t('player.behind', { seconds: Math.round(behind) })}
        </button>
        {muted ? (
          <button type="button" onClick={() => video.current && (video.current.muted = false)}>
            {t('player.unmute')}
          </button>
        ) : null}
        {view && view.audioTracks.length > 0 ? (
          <label class="inline">
            <span>{t('player.audio')}</span>
            <select
              id="audio-track"
              value={String(view.audioTrack)}
              onChange={(e) => player.current?.selectAudio(Number(e.currentTarget.value))}
            >
              {view.audioTracks.map((track) => (
                <option key={track.id} value={String(track.id)}>
                  {languageName(track.lang)}
                  {track.describes ? ` (${t('player.audio.describes')})` : ''}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        {view && view.levels.length > 1 ? (
          <label class="inline">
            <span>{t('player.quality')}</span>
            <select
              value={String(view.level)}
              onChange={(e) => player.current?.selectLevel(Number(e.currentTarget.value))}
            >
              <option value="-1">{t('player.quality.auto')}</option>
              {view.levels.map((level) => (
                <option key={level.id} value={String(level.id)}>
                  {level.height ? `${level.height}p` : `${Math.round(level.bitrate / 1000)} kbit/s`}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <button type="button" onClick={() => void toggleFullscreen(frame.current)}>
          {t('player.fullscreen')}
        </button>
        {document.pictureInPictureEnabled ? (
          <button
            type="button"
            onClick={() => void video.current?.requestPictureInPicture().catch(() => undefined)}
          >
            {t('player.pip')}
          </button>
        ) : null}
      </div>
      <div class="player-info">
        <Picon channel={channel} size="large" />
        <div>
          <h1>
            {channel.number} · {channel.name}
          </h1>
          <ProgrammeLine label={t('player.now')} event={programmes?.now ?? null} />
          <ProgrammeLine label={t('player.upNext')} event={programmes?.next ?? null} />
        </div>
        <a class="button" href="/channels" onClick={followLink}>
          {t('player.allChannels')}
        </a>
      </div>
    </section>
  );
}

function ProgrammeOverlay({
  name,
  number,
  programmes,
}: {
  name: string;
  number: number;
  programmes: NowNext | null;
}) {
  return (
    <div class="overlay" aria-hidden="true">
      <strong>
        {number} {name}
      </strong>
      {programmes?.now ? (
        <span>
          {formatTime(programmes.now.start)} {programmes.now.title}
        </span>
      ) : null}
      {programmes?.next ? (
        <span class="muted">
          {formatTime(programmes.next.start)} {programmes.next.title}
        </span>
      ) : null}
    </div>
  );
}

function ProgrammeLine({ label, event }: { label: string; event: BriefEvent | null }) {
  if (!event) return null;
  return (
    <p class="small">
      <span class="muted">{label}:</span> {formatTime(event.start)}–{formatTime(event.stop)} {event.title}
    </p>
  );
}

async function toggleFullscreen(element: HTMLElement | null): Promise<void> {
  if (document.fullscreenElement) await document.exitFullscreen().catch(() => undefined);
  else await element?.requestFullscreen().catch(() => undefined);
}
