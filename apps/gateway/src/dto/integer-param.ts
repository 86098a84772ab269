import { Transform } from 'class-transformer';

/**
 * A query/path integer: only plain decimal digits are numbers; anything else (empty, `1e3`, a repeated parameter
 * that arrives as an array) becomes NaN and fails `@IsInt`, so it is a 400 rather than a silent 0.
 */
export const IntegerParam = () =>
  Transform(({ value }: { value: unknown }) => {
    if (value === undefined) return undefined;
    if (typeof value === 'string' && /^-?\d{1,16}$/.test(value)) return Number(value);
    return Number.NaN;
  });
