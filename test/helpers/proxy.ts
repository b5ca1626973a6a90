import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { TEST_CA_DIR, WAIT_MS } from './cli.js';

export { TEST_CA_DIR };

export interface RawResponse {
  status: number;
  reason: string;
  headers: Record<string, string>;
  body: string;
}

/** Reads one HTTP/1.1 response from a socket: head, then Content-Length bytes of body. */
export function readResponse(socket: Socket, options: { headOnly?: boolean; timeoutMs?: number } = {}): Promise<RawResponse> {
  const timeoutMs = options.timeoutMs ?? WAIT_MS;
  return new Promise((resolve, reject) => {
    let buffer = Buffer.alloc(0);
    const timer = setTimeout(() => finish(new Error(`no whole response within ${timeoutMs} ms: ${buffer.toString()}`)), timeoutMs);
    const finish = (error?: Error, response?: RawResponse) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', onError);
      if (error) reject(error);
      else resolve(response!);
    };
    const parse = (ended: boolean) => {
      const split = buffer.indexOf('\r\n\r\n');
      if (split < 0) return ended ? finish(new Error(`connection ended before a response head: '${buffer.toString()}'`)) : undefined;
      const [statusLine, ...lines] = buffer.subarray(0, split).toString('latin1').split('\r\n');
      const match = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(statusLine!);
      if (!match) return finish(new Error(`not an HTTP response: '${statusLine}'`));
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      // A 2xx answer to CONNECT has no body: what follows belongs to the tunnel.
      const length =
        options.headOnly && match[1]!.startsWith('2') ? 0 : headers['content-length'] !== undefined ? Number(headers['content-length']) : undefined;
      const body = buffer.subarray(split + 4);
      if (length !== undefined && body.length < length) return ended ? finish(new Error('connection ended inside the body')) : undefined;
      if (length === undefined && !ended) return undefined;
      const rest = body.subarray(length ?? body.length);
      if (rest.length > 0) socket.unshift(rest);
      finish(undefined, { status: Number(match[1]), reason: match[2]!, headers, body: body.subarray(0, length ?? body.length).toString('utf8') });
    };
    const onData = (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      parse(false);
    };
    const onEnd = () => parse(true);
    const onError = (error: Error) => finish(error);
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('error', onError);
  });
}

/** Sends `CONNECT target` to the proxy at `port` and reads its answer; the socket stays open after a 200. */
export async function proxyConnect(port: number, target: string, headers: Record<string, string> = {}): Promise<RawResponse & { socket: Socket }> {
  const socket = netConnect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const lines = [`CONNECT ${target} HTTP/1.1`, `Host: ${target}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  return { ...(await readResponse(socket, { headOnly: true })), socket };
}

/** Sends a raw request (anything, absolute-form included) to the server itself and reads the answer. */
export async function rawRequest(port: number, text: string): Promise<RawResponse> {
  const socket = netConnect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.write(text);
  try {
    return await readResponse(socket);
  } finally {
    socket.destroy();
  }
}

/** A TLS session inside an open tunnel, verified against `ca` for `servername`. */
export async function tlsInTunnel(socket: Socket, servername: string, ca: string): Promise<TLSSocket> {
  const tls = tlsConnect({ socket, servername, ca });
  await new Promise<void>((resolve, reject) => tls.once('secureConnect', resolve).once('error', reject));
  return tls;
}

/** One HTTP/1.1 request on an open (TLS) socket, kept alive for the next. */
export async function requestOn(socket: Socket, options: { method?: string; host: string; path: string; auth?: string }): Promise<RawResponse & { json: any }> {
  const lines = [`${options.method ?? 'GET'} ${options.path} HTTP/1.1`, `Host: ${options.host}`, ...(options.auth ? [`Authorization: ${options.auth}`] : [])];
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  const response = await readResponse(socket);
  let json: unknown;
  try {
    json = JSON.parse(response.body);
  } catch {
    json = undefined;
  }
  return { ...response, json };
}
