import { describe, expect, it } from 'vitest';
import { notifyMessage, searchResponse, searchTarget } from './ssdp-protocol.js';

const UDN = 'uuid:1A2B3C46-0000-0000-0000-000000000000';
const identity = {
  location: 'http://192.168.1.50:8080/device.xml',
  udn: UDN,
  server: 'Linux UPnP/1.0 e2gate/1',
};
const search = (st: string, man = '"ssdp:discover"') =>
  `M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: ${man}\r\nMX: 1\r\nST: ${st}\r\n\r\n`;

describe('SSDP', () => {
  it.each([
    ['ssdp:all', 'ssdp:all'],
    ['upnp:rootdevice', 'upnp:rootdevice'],
    ['urn:schemas-upnp-org:device:MediaServer:1', 'urn:schemas-upnp-org:device:MediaServer:1'],
    [UDN, UDN],
    ['urn:schemas-upnp-org:device:InternetGatewayDevice:1', null],
    ['uuid:someone-else', null],
  ])('M-SEARCH for %s → %s', (st, expected) => expect(searchTarget(search(st), UDN)).toBe(expected));

  it('ignores other messages and a wrong MAN', () => {
    expect(searchTarget('NOTIFY * HTTP/1.1\r\nNT: upnp:rootdevice\r\n\r\n', UDN)).toBeNull();
    expect(searchTarget(search('ssdp:all', 'ssdp:alive'), UDN)).toBeNull();
  });

  it('answers with LOCATION, ST and USN', () => {
    const text = searchResponse(identity, 'ssdp:all');
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(text).toContain('LOCATION: http://192.168.1.50:8080/device.xml\r\n');
    expect(text).toContain('ST: urn:schemas-upnp-org:device:MediaServer:1\r\n');
    expect(text).toContain(`USN: ${UDN}::urn:schemas-upnp-org:device:MediaServer:1\r\n`);
    expect(text.endsWith('\r\n\r\n')).toBe(true);
    expect(notifyMessage(identity, 'byebye')).toContain('NTS: ssdp:byebye\r\n');
  });
});
