/**
 * Gathers the receiver's reads into fewer, larger engine inputs. A box sends a live stream in many small reads
 * (tens per second); each push costs a wake-up of the engine thread, an output callback, a NATS message and a
 * socket write per viewer on every gateway, so one push per `maxBytes` (or per timer tick, which the caller owns)
 * divides that per-read cost.
 *
 * Reads are copied into one buffer the batch owns and reuses, so a read may be a view of the connection's read
 * buffer, and a batch handed out is valid only until the next `add` or `take`: the engine copies what it is
 * pushed. Steady reading then allocates nothing, where every allocated buffer is external memory that drives
 * V8's full collections.
 */
export class UpstreamBatch {
  private readonly buffer: Buffer;
  private bytes = 0;

  constructor(readonly maxBytes: number) {
    this.buffer = Buffer.allocUnsafe(maxBytes);
  }

  /** Bytes gathered and not handed out yet. */
  get size(): number {
    return this.bytes;
  }

  /**
   * Copies a read in. Each time the batch reaches `maxBytes`, `onFull` gets it (a view, valid during the call);
   * returns false as soon as `onFull` did (the rest of the read is still gathered).
   */
  add(chunk: Uint8Array, onFull: (batch: Buffer) => boolean): boolean {
    let accepted = true;
    for (let offset = 0; offset < chunk.length;) {
      const count = Math.min(chunk.length - offset, this.maxBytes - this.bytes);
      this.buffer.set(chunk.subarray(offset, offset + count), this.bytes);
      this.bytes += count;
      offset += count;
      if (this.bytes === this.maxBytes) {
        this.bytes = 0;
        if (!onFull(this.buffer)) accepted = false;
      }
    }
    return accepted;
  }

  /** What was gathered so far (a view, valid until the next `add` or `take`), or null when nothing. */
  take(): Buffer | null {
    if (this.bytes === 0) return null;
    const batch = this.buffer.subarray(0, this.bytes);
    this.bytes = 0;
    return batch;
  }
}
