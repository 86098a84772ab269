import { describe, expect, it } from 'vitest';
import { fileNameOf } from './media-file-runner.js';

describe('fileNameOf', () => {
  it('keeps a title as it is where it is a safe file name', () => {
    expect(fileNameOf('Tatort: Schweigen')).toBe('Tatort Schweigen');
    expect(fileNameOf('Der Bergdoktor – Folge 12')).toBe('Der Bergdoktor – Folge 12');
  });

  it('removes path separators, control and reserved characters, leading dots, and bounds the length', () => {
    expect(fileNameOf('../../etc/passwd')).toBe('etc passwd');
    expect(fileNameOf('a\u0000b\nc<>|?*"d')).toBe('a b c d');
    expect(fileNameOf('x'.repeat(300))).toHaveLength(120);
  });

  it('names an empty title "recording"', () => {
    expect(fileNameOf('')).toBe('recording');
    expect(fileNameOf('///')).toBe('recording');
  });
});
