import type { Pdu, Session } from 'smpp';
import type { ConnectorStatus } from '../storage/schema.js';
import { commandStatusName } from './errors.js';

type Smpp = typeof import('smpp');

/** What a session needs to know of its connector. */
export interface SessionSettings {
  host: string;
  port: number;
  tls: boolean;
  systemId: string;
  password: string;
  systemType: string;
  windowSize: number;
  /** submit_sm a second at most. */
  throughput: number;
  enquireLinkSeconds: number;
}

export interface SessionHooks {
  /** The session's state changed (and why, when it is an error). */
  status(status: ConnectorStatus, error: string | null): void;
  /**
   * A deliver_sm from the SMSC: answered with deliver_sm_resp once this resolves (written), with
   * the command_status it resolves to (0 when none), or with ESME_RSYSERR when it throws, so that
   * the SMSC delivers it again.
   */
  deliver(pdu: Pdu): Promise<number | undefined>;
}

/** The connection went away while a submit waited for its answer, or the session is not bound. */
export class NotBound extends Error {}

/** A submit's answer, and when the submit went (performance.now()): after a pause began, or before. */
export interface Answered {
  answer: Pdu;
  sentAt: number;
}

/** submit_sm_resp's ESME_RINVBNDSTS: the SMSC no longer holds this bind, whatever the socket says. */
const ESME_RINVBNDSTS = 0x04;

const RECONNECT_FIRST_MS = 1_000;
/** The longest wait for the connection, the TLS handshake, bind_transceiver_resp or submit_sm_resp. */
const ANSWER_MAX_MS = 30_000;
const RECONNECT_MAX_MS = 60_000;
const UNBIND_WAIT_MS = 1_000;

/**
 * One SMPP 3.4 transceiver bind to an SMSC, kept up: bind_transceiver, enquire_link at the
 * connector's interval (no answer within one interval drops the connection), and after any loss a
 * reconnect with exponential backoff and jitter. Submits wait for a place in the window (submits
 * awaiting their response) and are spaced to the connector's throughput. The PDUs and the socket
 * are the `smpp` package's.
 */
export class SmppSession {
  status: ConnectorStatus = 'unbound';
  lastError: string | null = null;
  /** No submit goes at or after this (performance.now()): how long the bind is this node's to use. */
  submitUntil = Number.POSITIVE_INFINITY;
  readonly #smpp: Smpp;
  readonly #settings: SessionSettings;
  readonly #hooks: SessionHooks;
  #session: Session | undefined;
  #stopped = false;
  /** No new submit goes (stopping); answers to those sent are still taken. */
  #draining = false;
  #attempt = 0;
  /** Binds in a row that the SMSC then said it did not hold (ESME_RINVBNDSTS): they back off too. */
  #forgotten = 0;
  #forgottenBy: Session | undefined;
  #reconnect: ReturnType<typeof setTimeout> | undefined;
  #enquire: ReturnType<typeof setInterval> | undefined;
  #enquireAnswered = true;
  /** Submits awaiting their response, each with how to fail it if the connection goes. */
  readonly #pending = new Set<(error: Error) => void>();
  /** Submits waiting for a place in the window, and the places taken (sent, or about to be). */
  readonly #waiting: Array<() => void> = [];
  #inWindow = 0;
  /** When the next submit may go (performance.now()), for the throughput. */
  #nextSubmitAt = 0;
  /** The end of the pause the SMSC asked for (performance.now()). */
  #pausedUntil = 0;
  /** When recent submits went, for the submits-a-second figure. */
  readonly #recent: number[] = [];
  /** Submits waiting for their turn under the throughput: woken early by stop(). */
  readonly #sleepers = new Set<() => void>();

  constructor(smpp: Smpp, settings: SessionSettings, hooks: SessionHooks) {
    this.#smpp = smpp;
    this.#settings = settings;
    this.#hooks = hooks;
  }

  /** Submits awaiting their response. */
  get windowInUse(): number {
    return this.#pending.size;
  }

  /** submit_sm sent in the last second. */
  get submitsPerSecond(): number {
    this.#forgetBefore(performance.now() - 1_000);
    return this.#recent.length;
  }

  #forgetBefore(since: number): void {
    let old = 0;
    while (old < this.#recent.length && this.#recent[old]! < since) old++;
    if (old > 0) this.#recent.splice(0, old);
  }

  start(): void {
    this.#connect();
  }

  /** How long a connection, handshake, bind or submit may go unanswered: an enquire-link interval, at most 30 s. */
  get #answerMs(): number {
    return Math.min(this.#settings.enquireLinkSeconds * 1_000, ANSWER_MAX_MS);
  }

  /**
   * Sends no new submit from now on: those waiting for the window or their turn fail as not
   * bound (they stay for the next bind); those sent still get their answers until stop().
   */
  drain(): void {
    this.#draining = true;
    this.#wakeAll();
  }

  #wakeAll(): void {
    for (const wake of [...this.#sleepers]) wake();
    for (const go of this.#waiting.splice(0)) go();
  }

  /** Unbinds (waiting a moment for unbind_resp) and closes; no reconnect follows. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#reconnect);
    clearInterval(this.#enquire);
    // Submits not yet sent never go now: those waiting for the window or their turn give up.
    this.#wakeAll();
    const session = this.#session;
    if (!session) return;
    if (this.status === 'bound') {
      await new Promise<void>((done) => {
        const timer = setTimeout(done, UNBIND_WAIT_MS);
        const answered = () => {
          clearTimeout(timer);
          done();
        };
        if (!session.unbind({}, answered)) answered();
      });
    }
    await new Promise<void>((done) => {
      if (session.socket.destroyed) return done();
      session.socket.once('close', () => done());
      session.destroy();
    });
    this.#lost(new NotBound('the connector was stopped'));
    this.#set('unbound', null);
  }

  /**
   * Holds back submits for a while (the SMSC said it is throttled or its queue is full). Those
   * already given a turn within it take new turns after it, in the order they had, spaced by the
   * throughput from the pause's end.
   */
  pause(ms: number): void {
    const until = performance.now() + ms;
    if (until <= this.#pausedUntil) return;
    this.#pausedUntil = until;
    this.#nextSubmitAt = until;
    for (const wake of [...this.#sleepers]) wake();
  }

  /**
   * Sends one submit_sm within the window and the throughput; resolves with submit_sm_resp, which
   * `onAnswer` sees first, as it arrives (before PDUs read behind it are handled). Rejects with
   * NotBound when the session is not bound, stops before the submit goes, or loses the connection
   * before the answer; the submit may then have reached the SMSC or not.
   */
  async submit(fields: Record<string, unknown>, onAnswer?: (pdu: Pdu) => void, options: { continuing?: boolean } = {}): Promise<Answered> {
    // A place in the window is taken before the wait for the throughput, so submits that pass
    // the window together never outnumber it once they go. A `continuing` submit (the next part
    // of a message already partly sent) still goes while draining.
    const halted = () => this.#stopped || (this.#draining && !options.continuing);
    while (!halted() && this.#inWindow >= this.#settings.windowSize) await new Promise<void>((go) => this.#waiting.push(go));
    this.#inWindow++;
    const leave = () => {
      this.#inWindow--;
      this.#waiting.shift()?.();
    };
    // A turn under the throughput; woken early (a pause began, or the session stops), a new one.
    while (!halted()) {
      const now = performance.now();
      const at = Math.max(now, this.#nextSubmitAt);
      this.#nextSubmitAt = at + 1_000 / this.#settings.throughput;
      if (at <= now || !(await this.#sleep(at - now))) break;
    }
    const session = this.#session;
    if (halted() || this.status !== 'bound' || !session || performance.now() >= this.submitUntil) {
      leave();
      throw new NotBound(halted() ? 'the connector was stopped' : this.status === 'bound' ? 'the lease ran out' : `the connector is ${this.status}`);
    }
    return new Promise<Answered>((resolve, reject) => {
      // An SMSC that answers enquire_link but not this submit has lost it: the bind goes, and the
      // message waits for the next one (it may have reached the SMSC: at least once).
      const silence = setTimeout(() => fail(this.#abandon(session, `no submit_sm_resp within ${this.#answerMs / 1_000} s`)), this.#answerMs);
      silence.unref();
      const settle = (then: () => void) => {
        clearTimeout(silence);
        this.#pending.delete(fail);
        leave();
        then();
      };
      const fail = (error: Error) => settle(() => reject(error));
      this.#pending.add(fail);
      const sentAt = performance.now();
      this.#forgetBefore(sentAt - 1_000);
      this.#recent.push(sentAt);
      const sent = session.submit_sm(fields, (answer) => {
        if (answer.command_status === ESME_RINVBNDSTS) {
          // The SMSC forgot the bind: the message is not refused, the session is. Bind again,
          // later each time it happens in a row (a bind's window refused at once counts once).
          if (this.#forgottenBy !== session) this.#forgotten++;
          this.#forgottenBy = session;
          fail(this.#abandon(session, 'the SMSC answered ESME_RINVBNDSTS: not bound'));
          return;
        }
        this.#forgotten = 0;
        onAnswer?.(answer);
        settle(() => resolve({ answer, sentAt }));
      });
      if (!sent) fail(new NotBound('the connection closed'));
    });
  }

  /** Waits `ms`; resolves true when woken before (the session stops, or a pause began). */
  #sleep(ms: number): Promise<boolean> {
    return new Promise((woken) => {
      const end = (early: boolean) => {
        clearTimeout(timer);
        this.#sleepers.delete(wake);
        woken(early);
      };
      const wake = () => end(true);
      const timer = setTimeout(() => end(false), ms);
      this.#sleepers.add(wake);
    });
  }

  #connect(): void {
    if (this.#stopped) return;
    this.#set('binding', this.lastError);
    const { host, port, tls } = this.#settings;
    const session = this.#smpp.connect({ host, port, tls, rejectUnauthorized: true });
    this.#session = session;
    // PDUs are small writes answered one by one: Nagle's algorithm would hold each back for the
    // previous one's acknowledgement (tens of milliseconds with delayed ACKs).
    session.socket.setNoDelay(true);
    let bound = false;
    // Connecting, the TLS handshake and the bind each get what an enquire_link gets: an SMSC that
    // takes the connection and then says nothing is down too.
    let timeout: ReturnType<typeof setTimeout> | undefined;
    const awaiting = (what: string) => {
      clearTimeout(timeout);
      timeout = setTimeout(() => this.#abandon(session, `no ${what} within ${this.#answerMs / 1_000} s`), this.#answerMs);
      timeout.unref();
    };
    awaiting('connection');
    if (tls) session.socket.once('connect', () => awaiting('TLS handshake'));
    session.on(tls ? 'secureConnect' : 'connect', () => {
      awaiting('bind_transceiver_resp');
      session.bind_transceiver(
        { system_id: this.#settings.systemId, password: this.#settings.password, system_type: this.#settings.systemType, interface_version: 0x34 },
        (pdu) => {
          clearTimeout(timeout);
          if (pdu.command_status !== 0) {
            this.#abandon(session, `bind_transceiver refused: ${bindStatusName(pdu.command_status)}`);
            return;
          }
          bound = true;
          this.#attempt = 0;
          this.#set('bound', null);
          this.#keepAlive(session);
          for (const go of this.#waiting.splice(0, this.#settings.windowSize)) go();
        },
      );
    });
    session.on('deliver_sm', (pdu: Pdu) => {
      this.#hooks.deliver(pdu).then(
        (status) => session.send(pdu.response({ command_status: status ?? 0 })),
        () => session.send(pdu.response({ command_status: 0x08 })),
      );
    });
    session.on('enquire_link', (pdu: Pdu) => session.send(pdu.response()));
    session.on('unbind', (pdu: Pdu) => {
      session.send(pdu.response());
      this.lastError = 'the SMSC unbound';
      session.close();
    });
    session.on('error', (error: Error) => {
      this.lastError = error.message;
    });
    session.on('close', () => {
      clearTimeout(timeout);
      if (this.#session !== session) return;
      clearInterval(this.#enquire);
      this.#lost(new NotBound('the connection closed'));
      if (this.#stopped) return;
      if (bound && this.lastError === null) this.lastError = 'the connection closed';
      this.#set('error', this.lastError);
      this.#scheduleReconnect();
    });
  }

  #keepAlive(session: Session): void {
    this.#enquireAnswered = true;
    clearInterval(this.#enquire);
    this.#enquire = setInterval(() => {
      if (!this.#enquireAnswered) {
        this.#abandon(session, `no enquire_link_resp within ${this.#settings.enquireLinkSeconds} s`);
        return;
      }
      this.#enquireAnswered = false;
      session.enquire_link({}, () => {
        this.#enquireAnswered = true;
      });
    }, this.#settings.enquireLinkSeconds * 1_000);
    this.#enquire.unref();
  }

  /**
   * Drops the connection for `reason`, which `last_error` then shows (a reconnect follows);
   * answers the error a submit it cuts off fails with.
   */
  #abandon(session: Session, reason: string): NotBound {
    this.lastError = reason;
    session.destroy();
    return new NotBound(reason);
  }

  #scheduleReconnect(): void {
    const ceiling = Math.min(RECONNECT_MAX_MS, RECONNECT_FIRST_MS * 2 ** (this.#attempt + this.#forgotten));
    this.#attempt++;
    // Full jitter over the upper half: nodes and connectors that lost an SMSC together spread out.
    const wait = ceiling / 2 + Math.random() * (ceiling / 2);
    this.#reconnect = setTimeout(() => this.#connect(), wait);
    this.#reconnect.unref();
  }

  #lost(error: Error): void {
    for (const fail of [...this.#pending]) fail(error);
  }

  #set(status: ConnectorStatus, error: string | null): void {
    if (status === this.status && error === this.lastError) return;
    this.status = status;
    this.lastError = error;
    this.#hooks.status(status, error);
  }
}

function bindStatusName(status: number): string {
  return status === 0x0d ? 'ESME_RBINDFAIL (0x0000000d)' : status === 0x0e ? 'ESME_RINVPASWD (0x0000000e)' : commandStatusName(status);
}
