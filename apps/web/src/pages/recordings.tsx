import { useCallback, useEffect, useState } from 'preact/hooks';
import { Notice } from '../components/notice.js';
import { api } from '../lib/api.js';
import { describeError } from '../lib/errors.js';
import { formatBytes, formatDate, formatDuration, t } from '../lib/i18n.js';
import { can } from '../lib/session.js';
import type { Job, Me, Page, Recording } from '../lib/types.js';
import { isFinal, watchJob } from '../player/job-watch.js';

const PAGE = 200;

/** The receiver's recordings; playing one makes it browser-ready through a job (progress shown), then plays it. */
export function RecordingsPage({ me }: { me: Me }) {
  const [recordings, setRecordings] = useState<Recording[] | null>(null);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<unknown>(null);
  const [open, setOpen] = useState<string | null>(null);

  const load = useCallback((offset: number) => {
    setError(null);
    api<Page<Recording>>(`/api/v1/recordings?offset=${offset}&limit=${PAGE}`).then((page) => {
      setTotal(page.total);
      setRecordings((previous) => [...(offset === 0 ? [] : (previous ?? [])), ...page.items]);
    }, setError);
  }, []);
  useEffect(() => load(0), [load]);

  if (error) return <Notice kind="error" message={describeError(error)} onRetry={() => load(0)} />;
  if (!recordings) return <p aria-busy="true">{t('common.loading')}</p>;
  return (
    <section aria-labelledby="recordings-title">
      <h1 id="recordings-title">{t('recordings.title')}</h1>
      {recordings.length === 0 ? <p class="muted">{t('recordings.none')}</p> : null}
      {!can(me, 'stream') ? <Notice kind="info" message={t('recordings.noStream')} /> : null}
      <ul class="recordings">
        {recordings.map((recording) => (
          <li key={recording.id} class="recording">
            <div class="recording-text">
              <h2>{recording.title}</h2>
              <p class="muted small">
                {[
                  recording.channelName,
                  formatDate(recording.recordedAt),
                  recording.durationSeconds ? formatDuration(recording.durationSeconds) : null,
                  recording.sizeBytes ? formatBytes(recording.sizeBytes) : null,
                ]
                  .filter(Boolean)
                  .join(' · ')}
              </p>
              {recording.description ? <p class="small">{recording.description}</p> : null}
            </div>
            {can(me, 'stream') ? (
              open === recording.id ? (
                <RecordingPlayer recording={recording} />
              ) : (
                <button
                  type="button"
                  class="primary"
                  onClick={() => setOpen(recording.id)}
                  data-play={recording.id}
                >
                  {t('recordings.play')}
                </button>
              )
            ) : null}
          </li>
        ))}
      </ul>
      {recordings.length < total ? (
        <button type="button" onClick={() => load(recordings.length)}>
          {t('common.more')}
        </button>
      ) : null}
    </section>
  );
}

function RecordingPlayer({ recording }: { recording: Recording }) {
  const [job, setJob] = useState<Job | null>(null);
  const [fraction, setFraction] = useState(0);
  const [error, setError] = useState<unknown>(null);

  const start = useCallback(
    async (retry: boolean) => {
      setError(null);
      try {
        const submitted =
          retry && job
            ? await api<Job>(`/api/v1/jobs/${job.id}/retry`, { method: 'POST' })
            : await api<Job>('/api/v1/jobs', {
                method: 'POST',
                body: { kind: 'recording', recordingId: recording.id, title: recording.title },
                // Playing the same recording again joins the job made the first time.
                headers: { 'idempotency-key': `web-recording-${recording.id}` },
              });
        setJob(submitted);
      } catch (caught) {
        setError(caught);
      }
    },
    [recording, job],
  );
  useEffect(() => void start(false), []);
  const jobId = job?.id;
  const final = job ? isFinal(job) : false;
  useEffect(() => {
    if (!jobId || final) return;
    return watchJob(jobId, setJob, setFraction);
  }, [jobId, final]);

  if (error) return <Notice kind="error" message={describeError(error)} onRetry={() => void start(false)} />;
  if (!job) return <p aria-busy="true">{t('recordings.preparing')}</p>;
  if (job.state === 'succeeded' && job.result) {
    return (
      <div class="recording-player">
        <video
          src={job.result.url}
          controls
          autoplay
          playsinline
          aria-label={recording.title}
          id={`recording-${recording.id}`}
        />
        <a class="button" href={job.result.url} download={job.result.fileName}>
          {t('recordings.download')}
        </a>
      </div>
    );
  }
  if (final) {
    return (
      <Notice
        kind="error"
        message={t('recordings.failed', { detail: job.failure?.message ?? job.state })}
        onRetry={() => void start(true)}
      />
    );
  }
  return (
    <div class="recording-progress" role="status">
      <span>{job.state === 'queued' ? t('recordings.queued') : t('recordings.preparing')}</span>
      <progress max={1} value={fraction} aria-label={t('recordings.progress')} />
    </div>
  );
}
