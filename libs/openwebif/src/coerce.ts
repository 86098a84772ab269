import { z } from 'zod';

/** Tolerant field types for OpenWebIF JSON (openwebif reference §8): ints as strings, flags as strings. */

export const intLike = z.preprocess((value) => {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : undefined;
  if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Math.trunc(Number(value));
  return undefined;
}, z.number().int().optional());

export const boolLike = z.preprocess((value) => {
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === '1' || value === 'true' || value === 'True') return true;
  if (value === 0 || value === '0' || value === 'false' || value === 'False' || value === '') return false;
  return undefined;
}, z.boolean().optional());

/** Strings that may arrive as numbers, `null`, the int 0 (dummy events) or the text "None". */
export const textLike = z.preprocess((value) => {
  if (typeof value === 'string') return value === 'None' ? '' : value;
  if (typeof value === 'number') return value === 0 ? '' : String(value);
  return '';
}, z.string());
