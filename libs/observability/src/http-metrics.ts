import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Histogram } from 'prom-client';
import { makeHistogramProvider } from '@willsoto/nestjs-prometheus';

/** Buckets for HTTP request durations in seconds (1 ms … 30 s). */
export const HTTP_DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Provider of a histogram `name` with labels method, route (the route pattern, never the raw URL), status. */
export function makeHttpDurationHistogramProvider(name: string) {
  return makeHistogramProvider({
    name,
    help: 'HTTP request duration by method, route pattern and status',
    labelNames: ['method', 'route', 'status'],
    buckets: HTTP_DURATION_BUCKETS,
  });
}

/**
 * Observes every response of a Fastify instance. Requests that matched no route are labelled `unmatched`, so
 * probing random URLs cannot blow up the label cardinality.
 */
export function observeHttpDurations(fastify: FastifyInstance, histogram: Histogram<string>): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    if (observedElsewhere.has(request)) return done();
    const route = request.routeOptions.url ?? 'unmatched';
    histogram.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    done();
  });
}

/** Requests whose duration `observeHijackedDuration` records; the `onResponse` hook leaves them alone. */
const observedElsewhere = new WeakSet<FastifyRequest>();

/**
 * Observes a reply its handler hijacked (`reply.hijack()`: long streams written to the raw response). Fastify's
 * `onResponse` hook runs for such a reply only if it finishes; a stream usually ends with the viewer hanging up, which
 * the hook never hears of. Call this right after hijacking: the sample is taken once, when the response has been sent
 * or the connection closed, with the status that went out and the time since the request arrived (and
 * `observeHttpDurations` skips the request, so it is never counted twice).
 */
export function observeHijackedDuration(
  request: FastifyRequest,
  reply: FastifyReply,
  histogram: Histogram<string>,
): void {
  observedElsewhere.add(request);
  let observed = false;
  const observe = () => {
    if (observed) return;
    observed = true;
    histogram.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: String(reply.raw.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  };
  reply.raw.once('finish', observe);
  reply.raw.once('close', observe);
}
