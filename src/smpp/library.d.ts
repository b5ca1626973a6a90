// The parts of the npm `smpp` package (0.5.x, plain JavaScript) that Shortroute uses.
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';

  export interface Pdu {
    command: string;
    command_status: number;
    sequence_number: number;
    [field: string]: unknown;
    isResponse(): boolean;
    response(fields?: Record<string, unknown>): Pdu;
  }

  export const PDU: new (command: string, fields?: Record<string, unknown>) => Pdu;

  export class Session extends EventEmitter {
    socket: import('node:net').Socket;
    send(pdu: Pdu, onResponse?: (pdu: Pdu) => void, onSent?: (pdu: Pdu) => void): boolean;
    close(callback?: () => void): void;
    destroy(callback?: () => void): void;
    bind_transceiver(fields: Record<string, unknown>, onResponse?: (pdu: Pdu) => void): boolean;
    submit_sm(fields: Record<string, unknown>, onResponse?: (pdu: Pdu) => void): boolean;
    deliver_sm(fields: Record<string, unknown>, onResponse?: (pdu: Pdu) => void): boolean;
    enquire_link(fields?: Record<string, unknown> | ((pdu: Pdu) => void), onResponse?: (pdu: Pdu) => void): boolean;
    unbind(fields?: Record<string, unknown> | ((pdu: Pdu) => void), onResponse?: (pdu: Pdu) => void): boolean;
  }

  export class Server extends EventEmitter {
    listen(port: number, host?: string, callback?: () => void): this;
    close(callback?: () => void): void;
    address(): import('node:net').AddressInfo;
  }

  export function connect(
    options: { host: string; port: number; tls?: boolean; rejectUnauthorized?: boolean; ca?: string | Buffer },
    listener?: () => void,
  ): Session;
  export function createServer(options: Record<string, unknown>, listener?: (session: Session) => void): Server;

  export const encodings: Record<'ASCII' | 'UCS2' | 'LATIN1', { encode(value: string): Buffer; decode(value: Buffer): string }>;
  export const errors: Record<string, number>;
}
