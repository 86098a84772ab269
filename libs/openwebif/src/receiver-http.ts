import { ErrorCode } from '@e2gate/contracts';
import { ReceiverError } from './receiver-error.js';
import { snippet } from './text.js';

export interface HttpTarget {
  baseUrl: string;
  authorization?: string;
  /** Only for messages: the attempt's timeout is enforced by the policy through `signal`. */
  timeoutMs: number;
  maxBodyBytes: number;
}

export interface HttpResult {
  status: number;
  body: Uint8Array;
  contentType: string;
}

/**
 * One HTTP attempt against the receiver: aborted through `signal`, bounded body, errors mapped to stable codes.
 * 404 is returned (callers decide whether it is an error); 401/403, 429 and 5xx become ReceiverErrors.
 */
export async function httpGet(
  target: HttpTarget,
  endpoint: string,
  pathAndQuery: string,
  signal: AbortSignal,
): Promise<HttpResult> {
  try {
    const response = await fetch(target.baseUrl + pathAndQuery, {
      signal,
      headers: {
        'accept-encoding': 'gzip',
        ...(target.authorization ? { authorization: target.authorization } : {}),
      },
      redirect: 'follow',
    });
    const body = await readBounded(response, target.maxBodyBytes, endpoint);
    if (response.status === 401 || response.status === 403) {
      throw new ReceiverError(
        ErrorCode.ReceiverAuthFailed,
        `receiver rejected the credentials (HTTP ${response.status})`,
        {
          endpoint,
          status: response.status,
        },
      );
    }
    if (
      response.status === 429 ||
      response.status >= 500 ||
      (response.status >= 400 && response.status !== 404)
    ) {
      throw new ReceiverError(ErrorCode.ReceiverHttpError, `receiver answered HTTP ${response.status}`, {
        endpoint,
        status: response.status,
        snippet: snippet(Buffer.from(body).toString('latin1')),
      });
    }
    return { status: response.status, body, contentType: response.headers.get('content-type') ?? '' };
  } catch (error) {
    if (error instanceof ReceiverError) throw error;
    if (signal.aborted) {
      throw new ReceiverError(
        ErrorCode.ReceiverTimeout,
        `receiver did not answer within ${target.timeoutMs} ms`,
        {
          endpoint,
        },
      );
    }
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new ReceiverError(
      ErrorCode.ReceiverUnreachable,
      `receiver unreachable: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
      { endpoint },
    );
  }
}

async function readBounded(response: Response, maxBytes: number, endpoint: string): Promise<Uint8Array> {
  if (!response.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new ReceiverError(
        ErrorCode.ReceiverResponseTooLarge,
        `receiver response exceeds ${maxBytes} bytes`,
        {
          endpoint,
        },
      );
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
