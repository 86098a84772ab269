/**
 * Gathers the receiver's reads into fewer, larger engine inputs. A box sends a live stream in many small reads
 * (tens per second); each push costs a wake-up of the engine thread, an output callback, a NATS message and a
 * socket write per viewer on every gateway, so one push per ~64 KiB (or per `maxDelayMs`, whichever comes first)
 * divides that per-read cost. Pure: the caller owns the timer.
 */
export class UpstreamBatch {
  private parts: Buffer[] = [];
  private bytes = 0;

  constructor(readonly maxBytes: number) {}

  /** Adds a read; returns the batch when it reached `maxBytes` (the caller pushes it), else null. */
  add(chunk: Buffer): Buffer | null {
    if (chunk.length === 0) return null;
    this.parts.push(chunk);
    this.bytes += chunk.length;
    return this.bytes >= this.maxBytes ? this.take() : null;
  }

  /** What was gathered so far (null when nothing), as one buffer. */
  take(): Buffer | null {
    if (this.bytes === 0) return null;
    const batch = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts, this.bytes);
    this.parts = [];
    this.bytes = 0;
    return batch;
  }
}
