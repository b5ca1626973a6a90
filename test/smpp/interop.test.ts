// Interoperability with a second, independent SMPP implementation: an SMSC written on Net::SMPP
// (Debian's libnet-smpp-perl; test/smpp/net-smpp-smsc.pl). Shortroute binds to it, a message
// through a service reaches it from the short code with SMPP's addressing, and its receipt, sent
// as Appendix B's text without TLVs, makes the message delivered.

import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BACKENDS } from '../helpers/backends.js';
import { addService, addShortCode } from '../helpers/fixtures.js';
import { addToPool, advanceClock, usNumber, useMessagingServer } from '../helpers/messaging.js';

const SCRIPT = fileURLToPath(new URL('./net-smpp-smsc.pl', import.meta.url));
const WAIT_MS = 10_000;

/** The Perl SMSC, and every JSON line it printed. */
class PerlSmsc {
  readonly lines: Array<Record<string, unknown>> = [];
  #waiters: Array<() => void> = [];
  private constructor(readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      this.lines.push(JSON.parse(line));
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  static async start(systemId: string, password: string): Promise<PerlSmsc & { port: number }> {
    const child = spawn('perl', [SCRIPT, systemId, password], { stdio: ['ignore', 'pipe', 'inherit'] });
    const smsc = new PerlSmsc(child);
    const first = await smsc.until((l) => 'port' in l, 'its port');
    return Object.assign(smsc, { port: Number(first.port) });
  }

  async until(match: (line: Record<string, unknown>) => boolean, what: string): Promise<Record<string, unknown>> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const found = this.lines.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`Net::SMPP SMSC: no ${what} within ${WAIT_MS} ms: ${JSON.stringify(this.lines)}`);
      await new Promise<void>((wake) => {
        const timer = setTimeout(wake, deadline - Date.now());
        this.#waiters.push(() => {
          clearTimeout(timer);
          wake();
        });
      });
    }
  }

  stop(): void {
    this.child.kill();
  }
}

for (const backend of BACKENDS) {
  describe(`[${backend}] SMPP against Net::SMPP`, () => {
    const env = useMessagingServer(backend, {}, 'test');
    let smsc: PerlSmsc & { port: number };
    before(async () => {
      smsc = await PerlSmsc.start('shortroute', 'secret');
    });
    after(() => smsc?.stop());

    test('binds, submits from the short code with its addressing, and a text-only receipt delivers the message', async () => {
      const accountPath = `/_shortroute/Accounts/${env.server.account.sid}/Connectors`;
      const made = await env.server.request('POST', accountPath, { Host: '127.0.0.1', Port: String(smsc.port), SystemId: 'shortroute', Password: 'secret' });
      assert.equal(made.status, 201, made.text);
      const service = await addService(env.server);
      const sc = await addShortCode(env.server, { CountryCode: 'US' });
      await addToPool(env.server, service.sid, 'ShortCodes', sc.sid);
      assert.equal((await env.server.request('POST', `${accountPath}/${made.body.sid}/Senders`, { SenderSid: sc.sid })).status, 201);
      await smsc.until((l) => l.bind === 'shortroute' && l.ok === true, 'bind');

      const to = usNumber('415');
      const sent = await env.server.request('POST', `/2010-04-01/Accounts/${env.server.account.sid}/Messages.json`, {
        MessagingServiceSid: service.sid,
        To: to,
        Body: 'Hello Perl',
      });
      assert.equal(sent.status, 201, sent.text);
      await advanceClock(env.server, env.clock, 1_000);
      const submit = await smsc.until((l) => 'id' in l, 'submit_sm');
      assert.deepEqual(
        [submit.source_addr_ton, submit.source_addr_npi, submit.source_addr, submit.dest_addr_ton, submit.dest_addr_npi, submit.destination_addr],
        [3, 0, sc.short_code, 1, 1, to.slice(1)],
      );
      assert.deepEqual([submit.data_coding, submit.esm_class, submit.registered_delivery], [0, 0, 1]);
      assert.equal(Buffer.from(String(submit.short_message), 'hex').toString('latin1'), 'Hello Perl', 'GSM-7, one septet a byte');

      const deadline = Date.now() + WAIT_MS;
      for (;;) {
        const message = await env.server.request('GET', `/2010-04-01/Accounts/${env.server.account.sid}/Messages/${sent.body.sid}.json`);
        if (message.body.status === 'delivered') break;
        if (Date.now() > deadline) assert.fail(`not delivered: ${message.text}`);
        await new Promise((go) => setTimeout(go, 20));
      }
      assert.equal((await env.server.request('DELETE', `${accountPath}/${made.body.sid}`)).status, 204);
    });
  });
}
