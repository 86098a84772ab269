import { readFile } from 'node:fs/promises';
import { Injectable } from '@nestjs/common';

/** A settings file that could not be read or has a line that is not `KEY=value`. */
export class SettingsFileError extends Error {}

const MAX_BYTES = 256 * 1024;
const LINE = /^([A-Z][A-Z0-9_]*)=(.*)$/;

/**
 * Reads a settings file: `KEY=value` lines as in an `.env` file; blank lines and `#` comments are skipped, a value
 * may be wrapped in single or double quotes.
 */
@Injectable()
export class SettingsFileRepository {
  async read(path: string): Promise<Record<string, string>> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw new SettingsFileError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    if (Buffer.byteLength(text) > MAX_BYTES)
      throw new SettingsFileError(`${path} is larger than ${MAX_BYTES} bytes`);
    const values: Record<string, string> = {};
    for (const [index, raw] of text.split(/\r?\n/).entries()) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      const match = LINE.exec(line);
      if (!match) throw new SettingsFileError(`${path}:${index + 1}: not a KEY=value line`);
      values[match[1]!] = unquote(match[2]!.trim());
    }
    return values;
  }
}

function unquote(value: string): string {
  const quote = value[0];
  return (quote === '"' || quote === "'") && value.length >= 2 && value.endsWith(quote)
    ? value.slice(1, -1)
    : value;
}
