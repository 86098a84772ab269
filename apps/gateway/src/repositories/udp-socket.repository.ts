import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { Injectable } from '@nestjs/common';

export interface UdpEndpoint {
  readonly port: number;
  send(packet: Buffer, port: number, address: string): void;
  close(): Promise<void>;
}

export interface UdpBindOptions {
  host: string;
  port: number;
  /** Multicast group to join (SSDP); failures to join are reported, not fatal. */
  multicastGroup?: string;
  onMessage(packet: Buffer, from: RemoteInfo): void;
  onError(error: Error): void;
}

/** UDP sockets (HDHomeRun discovery, SSDP): IPv4, address reuse, broadcast allowed. */
@Injectable()
export class UdpSocketRepository {
  bind(options: UdpBindOptions): Promise<UdpEndpoint> {
    const socket: Socket = createSocket({ type: 'udp4', reuseAddr: true });
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(options.port, options.host, () => {
        socket.off('error', reject);
        socket.on('error', options.onError);
        socket.on('message', options.onMessage);
        socket.setBroadcast(true);
        if (options.multicastGroup) {
          try {
            socket.addMembership(options.multicastGroup);
            socket.setMulticastTTL(2);
          } catch (error) {
            options.onError(error as Error);
          }
        }
        resolve({
          port: socket.address().port,
          send: (packet, port, address) =>
            socket.send(packet, port, address, (error) => {
              if (error) options.onError(error);
            }),
          close: () => new Promise<void>((done) => socket.close(() => done())),
        });
      });
    });
  }
}
