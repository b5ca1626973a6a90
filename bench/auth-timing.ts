/**
 * Whether timing tells which account SIDs exist: refuses a known SID with a wrong token and an
 * unknown SID, interleaved, and prints both medians. A benchmark, not a test: the figures are for
 * a person to read (the machine is noisy), e.g. `node --import tsx bench/auth-timing.ts 4000`.
 */
import { request } from 'node:http';
import { startShortroute } from '../src/app.js';

const samples = Number(process.argv[2] ?? 4000);
const KNOWN = 'AC0123456789abcdef0123456789abcdef';
const UNKNOWN = 'ACfedcba9876543210fedcba9876543210';

function refusal(port: number, sid: string): Promise<number> {
  const auth = `Basic ${Buffer.from(`${sid}:wrong-token-000000000000000000000`).toString('base64')}`;
  const start = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/v1/Services', headers: { authorization: auth }, agent: keepAlive }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode !== 401) reject(new Error(`expected 401, got ${res.statusCode}`));
        resolve(Number(process.hrtime.bigint() - start) / 1000);
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const { Agent } = await import('node:http');
const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const app = await startShortroute({ inMemory: true, port: 0, accountSid: KNOWN, authToken: 'the-right-token-0000000000000000', logLevel: 'silent' });
try {
  const port = Number(new URL(app.url).port);
  for (let i = 0; i < 200; i++) await refusal(port, i % 2 ? KNOWN : UNKNOWN); // warm up
  const known: number[] = [];
  const unknown: number[] = [];
  for (let i = 0; i < samples; i++) {
    if (i % 2) known.push(await refusal(port, KNOWN));
    else unknown.push(await refusal(port, UNKNOWN));
  }
  const k = median(known);
  const u = median(unknown);
  console.log(`refusals, ${samples} interleaved over one keep-alive connection (SQLite in memory)`);
  console.log(`  known SID, wrong token: median ${k.toFixed(0)} µs`);
  console.log(`  unknown SID:            median ${u.toFixed(0)} µs`);
  console.log(`  unknown / known:        ${(u / k).toFixed(3)}`);
} finally {
  keepAlive.destroy();
  await app.close();
}
