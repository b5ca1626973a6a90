import { useEffect, useRef, useState } from 'preact/hooks';
import { absolute, shortroutePath } from './api.js';
import type { MessageEventData, WebhookEventData } from './shapes.js';

export type LiveEvent = { type: 'message'; data: MessageEventData } | { type: 'webhook'; data: WebhookEventData };

/**
 * The account's event stream (GET /_shortroute/Accounts/{sid}/Events) while the component is
 * shown: each event goes to `onEvent`. The browser's EventSource reconnects by itself and resumes
 * with Last-Event-ID. Returns whether the stream is connected.
 */
export function useEvents(accountSid: string, onEvent: (event: LiveEvent) => void): boolean {
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    const source = new EventSource(absolute(`${shortroutePath(accountSid)}/Events`));
    source.addEventListener('ready', () => setConnected(true));
    source.addEventListener('error', () => setConnected(false));
    for (const type of ['message', 'webhook'] as const) {
      source.addEventListener(type, (event) => handler.current({ type, data: JSON.parse((event as MessageEvent<string>).data) } as LiveEvent));
    }
    return () => source.close();
  }, [accountSid]);
  return connected;
}
