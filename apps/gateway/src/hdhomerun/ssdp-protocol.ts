/** SSDP (UPnP 1.0 discovery; reference/hdhomerun.md §4): answers M-SEARCH for a MediaServer device. */
export const SSDP_GROUP = '239.255.255.250';
const DEVICE_TYPE = 'urn:schemas-upnp-org:device:MediaServer:1';
const ANSWERED_TARGETS = new Set(['ssdp:all', 'upnp:rootdevice', DEVICE_TYPE]);

export interface SsdpIdentity {
  location: string;
  udn: string;
  server: string;
}

/** The search target of an M-SEARCH we should answer (a device type we are, or our own UDN), or null. */
export function searchTarget(message: string, udn: string): string | null {
  const lines = message.split(/\r?\n/);
  if (!/^M-SEARCH \* HTTP\/1\.1$/i.test(lines[0]?.trim() ?? '')) return null;
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  if ((headers.get('man') ?? '').replace(/"/g, '') !== 'ssdp:discover') return null;
  const target = headers.get('st') ?? '';
  return ANSWERED_TARGETS.has(target) || target === udn ? target : null;
}

export function searchResponse(identity: SsdpIdentity, target: string): string {
  const st = target === 'ssdp:all' ? DEVICE_TYPE : target;
  const usn = st.startsWith('uuid:') ? identity.udn : `${identity.udn}::${st}`;
  return [
    'HTTP/1.1 200 OK',
    'CACHE-CONTROL: max-age=1800',
    'EXT:',
    `LOCATION: ${identity.location}`,
    `SERVER: ${identity.server}`,
    `ST: ${st}`,
    `USN: ${usn}`,
    '',
    '',
  ].join('\r\n');
}

export function notifyMessage(identity: SsdpIdentity, kind: 'alive' | 'byebye'): string {
  return [
    'NOTIFY * HTTP/1.1',
    `HOST: ${SSDP_GROUP}:1900`,
    'CACHE-CONTROL: max-age=1800',
    `LOCATION: ${identity.location}`,
    `SERVER: ${identity.server}`,
    `NT: ${DEVICE_TYPE}`,
    `NTS: ssdp:${kind}`,
    `USN: ${identity.udn}::${DEVICE_TYPE}`,
    '',
    '',
  ].join('\r\n');
}
