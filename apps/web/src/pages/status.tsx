import { useEffect, useState } from 'preact/hooks';
import { Notice } from '../components/notice.js';
import { api } from '../lib/api.js';
import { describeError } from '../lib/errors.js';
import { formatDate, formatDuration, t } from '../lib/i18n.js';
import type { Job, LiveSession, Status, TranscoderNode } from '../lib/types.js';

interface Live {
  status?: Status;
  sessions?: { sessions: LiveSession[]; tunersInUse: number };
  nodes?: { nodes: TranscoderNode[] };
  jobs?: { items: Job[]; total: number };
}

/** The box at a glance (admin): receiver, catalog, tuners, live sessions, nodes, jobs; pushed by the server (SSE). */
export function StatusPage() {
  const [live, setLive] = useState<Live>({});
  const [connected, setConnected] = useState(true);
  const [message, setMessage] = useState<{ kind: 'info' | 'error'; text: string } | null>(null);

  useEffect(() => {
    const source = new EventSource('/api/v1/status/events');
    for (const name of ['status', 'sessions', 'nodes', 'jobs'] as const) {
      source.addEventListener(name, (event) => {
        setConnected(true);
        const data = JSON.parse((event as MessageEvent<string>).data) as unknown;
        setLive((previous) => ({ ...previous, [name]: data }));
      });
    }
    source.onerror = () => setConnected(false);
    return () => source.close();
  }, []);

  const refresh = async () => {
    setMessage(null);
    try {
      await api('/api/v1/catalog/refresh', { method: 'POST', body: {} });
      setMessage({ kind: 'info', text: t('status.refreshStarted') });
    } catch (error) {
      setMessage({ kind: 'error', text: describeError(error) });
    }
  };

  const { status, sessions, nodes, jobs } = live;
  return (
    <section class="status-page" aria-labelledby="status-title">
      <div class="toolbar">
        <h1 id="status-title">{t('status.title')}</h1>
        <button type="button" class="primary" onClick={() => void refresh()} id="refresh-catalog">
          {t('status.refresh')}
        </button>
      </div>
      {!connected ? <Notice kind="error" message={t('status.disconnected')} /> : null}
      {message ? <Notice kind={message.kind} message={message.text} /> : null}
      <div class="cards">
        <article class="card">
          <h2>{t('status.receiver')}</h2>
          {status?.receiver ? (
            <dl>
              <dt>{t('status.model')}</dt>
              <dd>{[status.receiver.brand, status.receiver.model].filter(Boolean).join(' ')}</dd>
              <dt>{t('status.connection')}</dt>
              <dd>{status.catalog.reachable ? t('status.reachable') : t('status.unreachable')}</dd>
              <dt>{t('status.tuners')}</dt>
              <dd id="tuners-in-use">
                {t('status.tunersInUse', {
                  used: sessions?.tunersInUse ?? 0,
                  total: status.receiver.tuners ?? '?',
                })}
              </dd>
            </dl>
          ) : (
            <p class="muted">{status ? t('status.noReceiver') : t('common.loading')}</p>
          )}
        </article>
        <article class="card">
          <h2>{t('status.catalog')}</h2>
          {status ? (
            <dl>
              <dt>{t('status.refreshed')}</dt>
              <dd>
                {status.catalog.refreshedAt ? formatDate(status.catalog.refreshedAt) : '–'}
                {status.catalog.stale ? ` (${t('status.stale')})` : ''}
                {status.catalog.refreshing ? ` · ${t('status.refreshing')}` : ''}
              </dd>
              <dt>{t('status.channels')}</dt>
              <dd>{status.catalog.counts?.channels ?? 0}</dd>
              <dt>{t('status.events')}</dt>
              <dd>{status.catalog.counts?.events ?? 0}</dd>
              {status.catalog.lastError ? (
                <>
                  <dt>{t('status.lastError')}</dt>
                  <dd>{status.catalog.lastError.message}</dd>
                </>
              ) : null}
            </dl>
          ) : (
            <p class="muted">{t('common.loading')}</p>
          )}
        </article>
      </div>
      <h2>{t('status.sessions')}</h2>
      <table class="table" id="sessions">
        <thead>
          <tr>
            <th scope="col">{t('status.channel')}</th>
            <th scope="col">{t('status.delivery')}</th>
            <th scope="col">{t('status.viewers')}</th>
            <th scope="col">{t('status.node')}</th>
            <th scope="col">{t('status.uptime')}</th>
          </tr>
        </thead>
        <tbody>
          {(sessions?.sessions ?? []).map((session) => (
            <tr key={session.id}>
              <td>{session.channelName}</td>
              <td>
                {session.delivery.toUpperCase()} · {session.profile}
                {session.encoder ? ` · ${session.encoder}` : ''}
              </td>
              <td class="viewers">{session.viewers}</td>
              <td>{session.node}</td>
              <td>{formatDuration(session.uptimeSeconds)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {sessions && sessions.sessions.length === 0 ? <p class="muted">{t('status.noSessions')}</p> : null}
      <h2>{t('status.nodes')}</h2>
      <table class="table">
        <thead>
          <tr>
            <th scope="col">{t('status.node')}</th>
            <th scope="col">{t('status.encoders')}</th>
            <th scope="col">{t('status.load')}</th>
            <th scope="col">{t('status.sessions')}</th>
          </tr>
        </thead>
        <tbody>
          {(nodes?.nodes ?? []).map((node) => (
            <tr key={node.id}>
              <td>
                {node.id} <span class="muted small">v{node.version}</span>
              </td>
              <td>{node.encoders.join(', ') || 'software'}</td>
              <td>
                <meter min={0} max={1} value={Math.min(1, node.load)} aria-label={t('status.load')} />{' '}
                {Math.round(node.load * 100)} %
              </td>
              <td>
                {node.sessions} / {node.capacity}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>{t('status.jobs')}</h2>
      <table class="table">
        <thead>
          <tr>
            <th scope="col">{t('status.job')}</th>
            <th scope="col">{t('status.state')}</th>
            <th scope="col">{t('status.created')}</th>
          </tr>
        </thead>
        <tbody>
          {(jobs?.items ?? []).map((job) => (
            <tr key={job.id}>
              <td>{job.title ?? job.kind}</td>
              <td>
                {job.state}
                {job.state === 'running' && typeof job.progress?.fraction === 'number'
                  ? ` ${Math.round(job.progress.fraction * 100)} %`
                  : ''}
              </td>
              <td>{formatDate(job.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
