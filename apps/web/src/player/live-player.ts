import type Hls from 'hls.js';
import type { ErrorData } from 'hls.js';
import { ApiError, errorOf } from '../lib/api.js';

/** What the page shows of the player; every change is pushed to `onChange`. */
export interface PlayerView {
  audioTracks: { id: number; lang: string; name: string; describes: boolean }[];
  audioTrack: number;
  levels: { id: number; height: number; bitrate: number }[];
  /** -1: automatic. */
  level: number;
  /** The timeshift window in media time, and where the live edge is. */
  windowStart: number;
  liveEdge: number;
  error: ApiError | Error | null;
}

const EMPTY: PlayerView = {
  audioTracks: [],
  audioTrack: -1,
  levels: [],
  level: -1,
  windowStart: 0,
  liveEdge: 0,
  error: null,
};

/**
 * A live channel in a `<video>`: hls.js (loaded on first use, so the rest of the app stays small) wherever Media
 * Source Extensions exist, Safari's own HLS otherwise. Fatal errors of the first request carry the API's error code
 * (tuners busy, no permission), read from the response body.
 */
export class LivePlayer {
  private hls: Hls | null = null;
  private view: PlayerView = EMPTY;
  private recoveredMedia = false;
  /** Counts loads: a load that an unmount or a newer load overtook while hls.js was being fetched stops there. */
  private generation = 0;
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly onChange: (view: PlayerView) => void,
  ) {
    this.timer = setInterval(() => this.updateWindow(), 1000);
  }

  async load(url: string): Promise<void> {
    const generation = ++this.generation;
    this.destroyHls();
    this.update(EMPTY);
    const nativeHls = isSafari() && this.video.canPlayType('application/vnd.apple.mpegurl') !== '';
    if (nativeHls) {
      this.video.src = url;
      await this.play();
      return;
    }
    const { default: HlsClass } = await import('hls.js');
    // Zapping fast, or leaving the page, while hls.js loaded: a player made now would keep the old channel open.
    if (generation !== this.generation) return;
    if (!HlsClass.isSupported()) {
      this.update({ error: new Error('HLS_UNSUPPORTED') });
      return;
    }
    const hls = new HlsClass({ backBufferLength: 90, liveSyncDurationCount: 3, enableWorker: true });
    this.hls = hls;
    const E = HlsClass.Events;
    hls.on(E.MANIFEST_PARSED, () => {
      this.update({
        levels: hls.levels.map((level, id) => ({ id, height: level.height, bitrate: level.bitrate })),
        level: hls.autoLevelEnabled ? -1 : hls.currentLevel,
      });
      void this.play();
    });
    hls.on(E.AUDIO_TRACKS_UPDATED, () => this.updateAudio(hls));
    hls.on(E.AUDIO_TRACK_SWITCHED, () => this.updateAudio(hls));
    hls.on(E.LEVEL_SWITCHED, () => this.update({ level: hls.autoLevelEnabled ? -1 : hls.currentLevel }));
    hls.on(E.ERROR, (_event, data) => this.onError(hls, data));
    hls.loadSource(url);
    hls.attachMedia(this.video);
  }

  selectAudio(id: number): void {
    if (this.hls) this.hls.audioTrack = id;
  }

  selectLevel(id: number): void {
    if (this.hls) this.hls.currentLevel = id;
  }

  /** Seconds back into the timeshift window (never before its start). */
  seekBy(seconds: number): void {
    const target = this.video.currentTime + seconds;
    this.video.currentTime = Math.min(this.liveEdge(), Math.max(this.view.windowStart, target));
  }

  seekTo(position: number): void {
    this.video.currentTime = position;
  }

  goLive(): void {
    this.video.currentTime = this.liveEdge();
    void this.play();
  }

  destroy(): void {
    this.generation++;
    clearInterval(this.timer);
    this.destroyHls();
  }

  private liveEdge(): number {
    const seekable = this.video.seekable;
    const end = seekable.length > 0 ? seekable.end(seekable.length - 1) : this.video.currentTime;
    return this.hls?.liveSyncPosition ?? end;
  }

  /** Autoplay with sound needs a gesture; without one the channel starts muted (the page offers to unmute). */
  private async play(): Promise<void> {
    try {
      await this.video.play();
    } catch (error) {
      if ((error as DOMException).name !== 'NotAllowedError') return;
      this.video.muted = true;
      await this.video.play().catch(() => undefined);
    }
  }

  private onError(hls: Hls, data: ErrorData): void {
    if (!data.fatal) return;
    if (data.type === 'mediaError' && !this.recoveredMedia) {
      this.recoveredMedia = true;
      hls.recoverMediaError();
      return;
    }
    const xhr = data.networkDetails as XMLHttpRequest | undefined;
    if (xhr && typeof xhr.status === 'number' && xhr.status >= 400) {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      this.update({ error: errorOf(xhr.status, body) });
    } else {
      this.update({ error: new Error(data.details) });
    }
    this.destroyHls();
  }

  private updateAudio(hls: Hls): void {
    this.update({
      audioTracks: hls.audioTracks.map((track, id) => ({
        id,
        lang: track.lang ?? '',
        name: track.name,
        describes: (track.characteristics ?? '').includes('describes-video'),
      })),
      audioTrack: hls.audioTrack,
    });
    this.video.dataset['audioTrack'] = String(hls.audioTrack);
  }

  private updateWindow(): void {
    const seekable = this.video.seekable;
    if (seekable.length === 0) return;
    this.update({ windowStart: seekable.start(0), liveEdge: this.liveEdge() });
  }

  private update(change: Partial<PlayerView>): void {
    this.view = { ...this.view, ...change };
    this.onChange(this.view);
  }

  private destroyHls(): void {
    this.hls?.destroy();
    this.hls = null;
    this.recoveredMedia = false;
    this.video.removeAttribute('src');
  }
}

function isSafari(): boolean {
  return /^((?!chrome|android|crios|fxios).)*safari/i.test(navigator.userAgent);
}
