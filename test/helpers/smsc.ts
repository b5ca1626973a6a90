// An SMSC on loopback for the tests, built from the `smpp` package's server side: it binds one
// system_id/password, records every submit_sm, answers them (or as a test scripts), and sends
// delivery receipts and handset texts when told (or receipts at once, `autoReceipt`).

import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import smpp, { type Pdu, type Session } from 'smpp';

export interface Submitted {
  pdu: Pdu;
  /** The message id this SMSC gave it (undefined when it refused it). */
  id: string | undefined;
  /** The text, decoded as its data_coding says; its UDH apart. */
  text: string;
  udh: Buffer | undefined;
  /** When it arrived (Date.now()). */
  at: number;
}

const WAIT_MS = 10_000;

export interface TextOptions {
  parts?: number;
  reference?: number;
  /** The part numbers to send (1-based): the others never come. */
  only?: number[];
  /** The source address's TON when it has no "+". */
  sourceTon?: number;
  /** The destination's TON when it has no "+" (else 3, a short code). */
  destinationTon?: number;
}

export class Smsc {
  readonly submits: Submitted[] = [];
  /** Bind attempts, whatever their outcome. */
  readonly binds: Array<{ systemId: string; ok: boolean }> = [];
  unbinds = 0;
  readonly sessions = new Set<Session>();
  /** Send a DELIVRD receipt for every accepted part right after answering it. */
  autoReceipt = true;
  /** The next submits' command_status, in order (then 0). */
  readonly script: number[] = [];
  /** Record submits but answer none of them (an SMSC about to fail). */
  holdAnswers = false;
  /** Answer each submit this long after it arrived (0: at once). */
  answerDelayMs = 0;
  /** Submits received and not yet answered, now and at most. */
  unanswered = 0;
  maxUnanswered = 0;
  #server: ReturnType<typeof smpp.createServer>;
  #nextId = 1;
  #waiters: Array<{ ready: () => boolean; resolve: () => void }> = [];
  port = 0;

  private constructor(
    readonly systemId: string,
    readonly password: string,
  ) {
    this.#server = smpp.createServer({}, (session) => this.#accept(session));
  }

  static async start(systemId = 'shortroute', password = 'secret'): Promise<Smsc> {
    const smsc = new Smsc(systemId, password);
    smsc.#server.listen(0, '127.0.0.1');
    await once(smsc.#server, 'listening');
    smsc.port = (smsc.#server.address() as AddressInfo).port;
    return smsc;
  }

  /** Resolves once `ready()` holds, checked after each PDU this SMSC handles. */
  until(ready: () => boolean, what: string, timeoutMs = WAIT_MS): Promise<void> {
    if (ready()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`SMSC: no ${what} within ${timeoutMs} ms (${this.submits.length} submits, ${this.binds.length} binds)`)),
        timeoutMs,
      );
      this.#waiters.push({
        ready,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  /** A delivery receipt for a part, in both forms SMSCs use: the TLVs and Appendix B's text. */
  receipt(id: string, state = 'DELIVRD', session = this.#bound()): void {
    const states: Record<string, number> = { ENROUTE: 1, DELIVRD: 2, EXPIRED: 3, DELETED: 4, UNDELIV: 5, ACCEPTD: 6, UNKNOWN: 7, REJECTD: 8 };
    const submit = this.submits.find((s) => s.id === id)!;
    session.deliver_sm({
      source_addr_ton: submit.pdu.dest_addr_ton,
      source_addr_npi: submit.pdu.dest_addr_npi,
      source_addr: submit.pdu.destination_addr,
      dest_addr_ton: submit.pdu.source_addr_ton,
      dest_addr_npi: submit.pdu.source_addr_npi,
      destination_addr: submit.pdu.source_addr,
      esm_class: 0x04,
      short_message: `id:${id} sub:001 dlvrd:${state === 'DELIVRD' ? '001' : '000'} submit date:2611281200 done date:2611281200 stat:${state} err:000 text:`,
      receipted_message_id: id,
      message_state: states[state],
    });
  }

  /**
   * A handset's text to `to` (a short code, or an E.164 number): one deliver_sm, or `parts` of it
   * with an 8-bit-reference concatenation header each (`reference` as given, else a new one;
   * `only` some of the parts). `from` without its "+" goes with `sourceTon` (national: 2, unknown:
   * 0). Resolves with each part's deliver_sm_resp status.
   */
  async text(from: string, to: string, text: string, options: TextOptions = {}, session = this.#bound()): Promise<number[]> {
    const parts = options.parts ?? 1;
    const address = (a: string) => (a.startsWith('+') ? { ton: 1, npi: 1, addr: a.slice(1) } : { ton: 3, npi: 0, addr: a });
    const source = from.startsWith('+') ? address(from) : { ton: options.sourceTon ?? 2, npi: 1, addr: from };
    const destination = options.destinationTon === undefined || to.startsWith('+') ? address(to) : { ton: options.destinationTon, npi: 1, addr: to };
    const size = Math.ceil(text.length / parts);
    const reference = options.reference ?? this.#nextId++ & 0xff;
    const numbers = options.only ?? Array.from({ length: parts }, (_, at) => at + 1);
    const answers = numbers.map((number) => {
      const piece = text.slice((number - 1) * size, number * size);
      const message = parts === 1 ? piece : { udh: Buffer.from([0x05, 0x00, 0x03, reference, parts, number]), message: piece };
      return new Promise<number>((answered) =>
        session.deliver_sm(
          {
            source_addr_ton: source.ton,
            source_addr_npi: source.npi,
            source_addr: source.addr,
            dest_addr_ton: destination.ton,
            dest_addr_npi: destination.npi,
            destination_addr: destination.addr,
            esm_class: parts === 1 ? 0 : 0x40,
            data_coding: 0,
            short_message: message,
          },
          (resp) => answered(resp.command_status),
        ),
      );
    });
    return Promise.all(answers);
  }

  /** Drops every connection, as a failing SMSC would (no unbind). */
  dropAll(): void {
    for (const session of this.sessions) session.destroy();
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((done) => this.#server.close(() => done()));
  }

  #bound(): Session {
    const [session] = this.sessions;
    if (!session) throw new Error('SMSC: no ESME is bound');
    return session;
  }

  #accept(session: Session): void {
    session.on('error', () => {});
    session.on('bind_transceiver', (pdu: Pdu) => {
      const ok = pdu.system_id === this.systemId && pdu.password === this.password;
      this.binds.push({ systemId: String(pdu.system_id), ok });
      if (!ok) {
        session.send(pdu.response({ command_status: smpp.errors.ESME_RBINDFAIL }));
        session.close();
      } else {
        this.sessions.add(session);
        session.send(pdu.response({ system_id: 'test-smsc' }));
      }
      this.#check();
    });
    session.on('close', () => {
      this.sessions.delete(session);
      this.#check();
    });
    session.on('enquire_link', (pdu: Pdu) => session.send(pdu.response()));
    session.on('unbind', (pdu: Pdu) => {
      this.unbinds++;
      session.send(pdu.response());
      this.sessions.delete(session);
      this.#check();
    });
    session.on('submit_sm', (pdu: Pdu) => {
      if (this.holdAnswers) {
        const message = pdu.short_message as { message: string | Buffer };
        this.submits.push({ pdu, id: undefined, text: String(message.message), udh: undefined, at: Date.now() });
        this.#check();
        return;
      }
      this.unanswered++;
      this.maxUnanswered = Math.max(this.maxUnanswered, this.unanswered);
      if (this.answerDelayMs > 0) setTimeout(() => this.#answer(session, pdu), this.answerDelayMs);
      else this.#answer(session, pdu);
    });
  }

  #answer(session: Session, pdu: Pdu): void {
    {
      this.unanswered--;
      const status = this.script.shift() ?? 0;
      const id = status === 0 ? `smsc-${this.#nextId++}` : undefined;
      const message = pdu.short_message as { udh?: Buffer[]; message: string | Buffer };
      const raw = pdu.short_message as unknown;
      const udh = Buffer.isBuffer(raw)
        ? undefined
        : message.udh?.[0] !== undefined
          ? Buffer.concat([Buffer.from([message.udh.reduce((n, u) => n + u.length, 0)]), ...message.udh])
          : undefined;
      this.submits.push({ pdu, id, text: String(message.message), udh, at: Date.now() });
      session.send(pdu.response(id === undefined ? { command_status: status } : { message_id: id }));
      if (id !== undefined && this.autoReceipt) this.receipt(id, 'DELIVRD', session);
      this.#check();
    }
  }

  #check(): void {
    this.#waiters = this.#waiters.filter((w) => {
      if (!w.ready()) return true;
      w.resolve();
      return false;
    });
  }
}
