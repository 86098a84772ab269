/** Box information endpoints: about, statusinfo, tunersignal, getcurrent, zap. */
import { json, missingParameter, type BoxContext, type WebReply } from './box-context.js';
import { nowNext } from './epg.js';
import { bouquetEventRow } from './api-epg.js';
import type { PyJson } from './py-json.js';
import { decodeRef } from './refs.js';
import { filterName } from './text.js';

/** The box reports a fixed uptime of 3 days, 4:10. */
const UPTIME_SEC = 3 * 86_400 + 4 * 3600 + 10 * 60;

function uptime(): string {
  const s = UPTIME_SEC;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}`;
}

function currentService(ctx: BoxContext): Record<string, PyJson> {
  const channel = ctx.index.service(ctx.state.currentRef);
  const ref = channel?.ref ?? '';
  return {
    result: channel !== null,
    name: channel?.name ?? '',
    namespace: channel?.namespace ?? 0,
    aspect: 3,
    provider: channel?.provider ?? '',
    width: channel?.hd ? 1280 : 720,
    height: channel?.hd ? 720 : 576,
    apid: 1921,
    vpid: 1920,
    pcrpid: 1920,
    pmtpid: 107,
    txtpid: 'N/A',
    tsid: channel?.tsid ?? 0,
    onid: channel?.onid ?? 0,
    sid: channel?.sid ?? 0,
    ref,
    iswidescreen: true,
    bqref: ctx.dataset.bouquets[0]?.ref ?? '',
    bqname: ctx.dataset.bouquets[0]?.name ?? '',
    hbbtvurl: '',
  };
}

export function about(ctx: BoxContext): WebReply {
  const usage = ctx.tuners.snapshot();
  const tuners: PyJson[] = usage.map((services, i) => ({
    name: `Tuner ${String.fromCharCode(65 + i)}`,
    type: i < 2 ? 'Vuplus DVB-S NIM(45208 FBC) (DVB-S2)' : 'Vuplus DVB-C NIM(BCM3158) (DVB-C)',
    rec: '',
    live: i === 0 ? (ctx.index.service(ctx.state.currentRef)?.name ?? '') : '',
    stream: services,
  }));
  const streams: PyJson[] = [...ctx.state.streams.values()].map((stream) => ({
    ref: stream.ref,
    name: stream.name,
    ip: stream.client,
    type: 'S',
  }));
  return json({
    info: {
      brand: 'Vu+',
      model: 'Uno 4K SE',
      boxtype: 'vuuno4kse',
      machinebuild: 'vuuno4kse',
      imagedistro: 'openatv',
      imagever: '7.6',
      oever: 'OE-Alliance 5.5',
      enigmaver: '2025-07-01',
      driverdate: '20240520',
      kernelver: '4.1.20',
      fp_version: null,
      webifver: 'OWIF 2.4.0 (receiver simulator)',
      chipset: 'bcm7252s',
      mem1: '1008776 kB',
      mem2: '612040 kB',
      mem3: '421 MB',
      uptime: uptime(),
      tuners,
      tuners_en: true,
      ifaces: [
        {
          name: 'eth0',
          friendlynic: 'Broadcom Gigabit Ethernet',
          linkspeed: '1 GBit/s',
          mac: '00:1d:ec:12:34:56',
          dhcp: true,
          ipv4method: 'DHCP',
          ip: '192.168.1.20',
          mask: '255.255.255.0',
          v4prefix: 24,
          gw: '192.168.1.1',
          ipv6: '::1/128',
          ipmethod: 'SL-AAC',
          firstpublic: null,
        },
      ],
      hdd: [
        {
          model: 'ATA(WDC WD10JPVX-22J)',
          capacity: '931.5 GB',
          labelled_capacity: '1.0 TB',
          free: '612.3 GB',
          fs: 'ext4',
          mount: '/media/hdd',
          friendlycapacity: '612.3 GB frei / 931.5 GB (1.0 TB)',
        },
      ],
      shares: [],
      transcoding: false,
      EX: '',
      streams,
      timerpipzap: false,
      allow_duplicate: false,
      timermargins: true,
      textinputsupport: true,
    },
    service: currentService(ctx),
  });
}

export function statusInfo(ctx: BoxContext): WebReply {
  const channel = ctx.index.service(ctx.state.currentRef);
  const [current] = channel ? nowNext(ctx.dataset, channel, ctx.now()) : [null];
  const streams = [...ctx.state.streams.values()];
  const info: Record<string, PyJson> = {
    volume: 50,
    muted: false,
    transcoding: false,
    currservice_filename: '',
    currservice_id: current?.id ?? -1,
    currservice_name: current ? filterName(current.title, false) : 'N/A',
    currservice_serviceref: channel?.ref ?? '',
    currservice_begin: current ? ctx.clock.time(current.begin) : '',
    currservice_end: current ? ctx.clock.time(current.begin + current.duration) : '',
    currservice_begin_timestamp: current?.begin ?? 0,
    currservice_end_timestamp: current ? current.begin + current.duration : 0,
    currservice_description: current ? filterName(current.shortdesc, false) : '',
    currservice_fulldescription: current ? filterName(current.longdesc, false) : 'N/A',
    currservice_station: channel?.name ?? '',
    inStandby: 'false',
    isRecording: 'false',
    isStreaming: streams.length > 0 ? 'true' : 'false',
  };
  if (streams.length > 0) info['Streaming_list'] = streams.map((s) => `${s.client}: ${s.name}\n`).join('');
  return json(info);
}

export function tunerSignal(ctx: BoxContext): WebReply {
  return json({
    snr: '87',
    snr_db: '14.52 dB',
    agc: '72',
    ber: '0',
    tunertype: 'DVB-S2',
    tunernumber: '0',
    inStandby: 'false',
    result: ctx.index.service(ctx.state.currentRef) !== null,
  });
}

export function getCurrent(ctx: BoxContext): WebReply {
  const channel = ctx.index.service(ctx.state.currentRef);
  const nowSec = Math.floor(ctx.now() / 1000);
  const [current, next] = channel ? nowNext(ctx.dataset, channel, ctx.now()) : [null, null];
  const ref = channel?.ref ?? '';
  return json({
    info: {
      ...currentService(ctx),
      video_width: channel?.hd ? 1280 : 720,
      video_height: channel?.hd ? 720 : 576,
    },
    now: channel ? bouquetEventRow(current, ref, channel.name, nowSec) : {},
    next: channel ? bouquetEventRow(next, ref, channel.name, nowSec) : {},
  });
}

export function zap(ctx: BoxContext, query: URLSearchParams): WebReply {
  const missing = missingParameter(query, 'sRef');
  if (missing) return missing;
  const ref = decodeRef(query.get('sRef') ?? '');
  const channel = ctx.index.service(ref);
  if (!channel) return json({ result: false, message: `Service '${ref}' is not playable` });
  ctx.state.currentRef = channel.ref;
  return json({ result: true, message: `Active service is now '${channel.name}'` });
}
