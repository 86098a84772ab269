import type { Channel } from '@e2gate/contracts';
import { escapeXmlText, singleLine } from '../rendering/text-clean.js';

/** What identifies the emulated tuner (persisted once, see DeviceIdentityRepository). */
export interface HdhrDevice {
  deviceId: string;
  deviceAuth: string;
  friendlyName: string;
  tunerCount: number;
}

export interface DiscoverDocument {
  FriendlyName: string;
  Manufacturer: string;
  ModelNumber: string;
  FirmwareName: string;
  FirmwareVersion: string;
  DeviceID: string;
  DeviceAuth: string;
  BaseURL: string;
  LineupURL: string;
  TunerCount: number;
}

export interface LineupEntry {
  GuideNumber: string;
  GuideName: string;
  URL: string;
  HD?: 0 | 1;
}

export interface LineupStatusDocument {
  ScanInProgress: 0 | 1;
  ScanPossible: 0 | 1;
  Source: 'Cable' | 'Antenna';
  SourceList: string[];
}

/** `HDTC` in the model makes Jellyfin offer its `?transcode=` profiles, which the stream route tolerates. */
const MODEL = 'HDTC-2US';
const RADIO_SERVICE_TYPES = new Set([0x02, 0x0a]);

/** `/discover.json` (reference/hdhomerun.md §2): TunerCount is a number, URLs are absolute without a trailing slash. */
export function discoverDocument(device: HdhrDevice, baseUrl: string): DiscoverDocument {
  return {
    FriendlyName: device.friendlyName,
    Manufacturer: 'Silicondust',
    ModelNumber: MODEL,
    FirmwareName: 'hdhomeruntc_atsc',
    FirmwareVersion: '20200101',
    DeviceID: device.deviceId,
    DeviceAuth: device.deviceAuth,
    BaseURL: baseUrl,
    LineupURL: `${baseUrl}/lineup.json`,
    TunerCount: device.tunerCount,
  };
}

/** `/lineup.json`: TV channels by number; flags are 0/1 numbers; GuideNumber is a string. */
export function lineupDocument(
  channels: readonly Channel[],
  streamUrl: (channel: Channel) => string,
): LineupEntry[] {
  return channels
    .filter((channel) => !RADIO_SERVICE_TYPES.has(channel.serviceType))
    .slice()
    .sort((a, b) => a.number - b.number)
    .map((channel) => ({
      GuideNumber: String(channel.number),
      GuideName: singleLine(channel.name) || `Channel ${channel.number}`,
      URL: streamUrl(channel),
      HD: channel.hd ? 1 : 0,
    }));
}

/** Scans complete instantly: the lineup is the catalog, there is nothing to tune. */
export function lineupStatusDocument(): LineupStatusDocument {
  return { ScanInProgress: 0, ScanPossible: 1, Source: 'Cable', SourceList: ['Cable'] };
}

/** `/device.xml`: the UPnP description SSDP points at. */
export function deviceXml(device: HdhrDevice, baseUrl: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<root xmlns="urn:schemas-upnp-org:device-1-0">\n' +
    '  <specVersion><major>1</major><minor>0</minor></specVersion>\n' +
    `  <URLBase>${escapeXmlText(baseUrl)}</URLBase>\n` +
    '  <device>\n' +
    '    <deviceType>urn:schemas-upnp-org:device:MediaServer:1</deviceType>\n' +
    `    <friendlyName>${escapeXmlText(device.friendlyName)}</friendlyName>\n` +
    '    <manufacturer>Silicondust</manufacturer>\n' +
    `    <modelName>${MODEL}</modelName>\n` +
    `    <modelNumber>${MODEL}</modelNumber>\n` +
    '    <serialNumber/>\n' +
    `    <UDN>${deviceUdn(device.deviceId)}</UDN>\n` +
    '  </device>\n' +
    '</root>\n'
  );
}

export function deviceUdn(deviceId: string): string {
  return `uuid:${deviceId}-0000-0000-0000-000000000000`;
}
