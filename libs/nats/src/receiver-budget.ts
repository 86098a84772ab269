import { Bucket, ReceiverBudgetKey } from '@e2gate/contracts';
import type { NatsConnectionService } from './nats-connection.service.js';
import { SharedTokenBucket } from './shared-token-bucket.js';

/**
 * The receiver's request budget for the whole box: `maxRps` requests per second (bursts of twice that) across every
 * catalog and transcoder process, whatever their number (`E2GATE_RECEIVER_MAX_RPS`, the same in each).
 */
export function receiverRequestBudget(nats: NatsConnectionService, maxRps: number): SharedTokenBucket {
  return new SharedTokenBucket(
    async () => (await nats.kvm()).open(Bucket.ReceiverBudget),
    ReceiverBudgetKey.Requests,
    maxRps,
    Math.max(1, 2 * maxRps),
  );
}
