import { Injectable } from '@nestjs/common';

/**
 * Writes straight to the terminal, outside the JSON log stream: used exactly once, to hand the operator the admin
 * token generated on the first start (it must not end up in log storage).
 */
@Injectable()
export class AnnouncerRepository {
  announce(lines: readonly string[]): void {
    process.stderr.write(lines.map((line) => `[gateway] ${line}\n`).join(''));
  }
}
