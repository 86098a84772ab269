import type { ParsedServiceRef } from './service-ref.js';
import { IPTV_TYPES } from './service-ref.js';

/**
 * Picon file names to try, best first (OpenWebIF `getPicon` fallback chain, openwebif reference §6):
 * exact, namespace with low 16 bits zeroed, type → 1, service type → 1, UTF-8 name, snp name, snp without `hd`.
 * Returned without the `.png` suffix.
 */
export function piconCandidates(ref: ParsedServiceRef, rawRef: string, channelName: string): string[] {
  const rawFields = rawRef.replace(/%3a/gi, ':').split(':').slice(0, 10);
  const fields = ref.normalized.split(':').slice(0, 10);
  const candidates: string[] = [];
  const add = (name: string | null | undefined) => {
    if (name && !candidates.includes(name)) candidates.push(name);
  };
  if (IPTV_TYPES.has(ref.type)) {
    const iptvName = ref.name.split('•')[0]?.trim() ?? '';
    const snp = snpName(iptvName);
    add(snp);
    add(snp.replace(/hd$/, ''));
    add(snp.replace(/s\d+e\d+$/, ''));
  }
  const join = (parts: string[]) => parts.join('_');
  add(join(fields));
  add(join(rawFields));
  const withNamespace = [...fields];
  const ns = withNamespace[6] ?? '';
  if (ns.length > 4) withNamespace[6] = ns.slice(0, -4) + '0000';
  add(join(withNamespace));
  const typeOne = [...withNamespace];
  if (typeOne[0] !== '1') typeOne[0] = '1';
  add(join(typeOne));
  const sd = [...typeOne];
  sd[2] = '1';
  add(join(sd));
  add(utf8SnpName(channelName));
  const snp = snpName(channelName);
  add(snp);
  add(snp.replace(/hd$/, ''));
  return candidates;
}

/** Enigma2's "utf8snp": the channel name, filename-sanitised and lower-cased. */
export function utf8SnpName(name: string): string {
  return name
    .normalize('NFC')
    .toLowerCase()
    .replace(/[/\\:*?"<>|\u0000-\u001f]/g, '')
    .trim();
}

/** Enigma2's "snp": NFKD-folded, `&`→and, `+`→plus, `*`→star, lower-case, only `[a-z0-9]` kept. */
export function snpName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, 'and')
    .replace(/\+/g, 'plus')
    .replace(/\*/g, 'star')
    .replace(/[^a-z0-9]/g, '');
}
