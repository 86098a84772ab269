import { classifyRef, parseServiceRef } from '@e2gate/openwebif';

/**
 * What occupies one tuner: services on the same transponder (same TSID, ONID and namespace) share it. IPTV needs
 * none (null). An alternatives group is resolved by the box to a member we cannot know: it counts as a transponder
 * of its own, so admission errs on the safe side.
 */
export function transponderOf(ref: string): string | null {
  const parsed = parseServiceRef(ref);
  if (!parsed) return `ref:${ref.trim().toUpperCase()}`;
  switch (classifyRef(parsed)) {
    case 'iptv':
      return null;
    case 'dvb':
      return [parsed.tsid, parsed.onid, parsed.namespace]
        .map((field) => field.toString(16).toUpperCase())
        .join(':');
    default:
      return `ref:${parsed.normalized}${parsed.path}`;
  }
}
