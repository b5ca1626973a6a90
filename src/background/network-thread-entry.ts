/**
 * The network's thread (network-thread.ts starts it): opens its own connection to the database,
 * runs the message stepper and the webhook dispatcher, and answers the API thread's messages.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { pino } from 'pino';
import { FakeClock, systemClock } from '../clock.js';
import type { Deps } from '../deps.js';
import { WriterTurn } from '../storage/dialects/sqlite-writer-turn.js';
import { openBackend } from '../storage/open.js';
import { Store } from '../storage/store.js';
import { LocalNetwork } from './network.js';
import type { FromNetworkThread, NetworkThreadData, ToNetworkThread } from './network-thread.js';
import { WORK, type WorkKind } from './notify.js';

const port = parentPort!;
const data = workerData as NetworkThreadData;
const post = (message: FromNetworkThread) => port.postMessage(message);

async function main(): Promise<void> {
  const clock = data.clockAt === undefined ? systemClock : new FakeClock(new Date(data.clockAt));
  const turn = data.turnMemory && new WriterTurn(data.turnMemory, 1);
  // Accounts and services change in the API's thread. On SQLite that is unheard here, so this
  // thread reads them afresh; on PostgreSQL every such write is announced on the database's
  // channel, which this thread hears as any node does, and keeps them as the API's thread does.
  const backend = await openBackend(data.storage, turn);
  const store = await Store.open(backend, { cacheRows: backend.cachedChanges !== undefined });
  // Work of the network's kinds is this thread's; the connectors' go to the API's thread.
  const notify = (kind: WorkKind) => {
    if (kind === WORK.messages || kind === WORK.webhooks) network.notify(kind);
    else post({ type: 'notify', kind });
  };
  const deps: Deps = {
    store,
    clock,
    limits: data.limits,
    notify,
    logger: pino({ level: data.log.level, name: 'network' }, data.log.to === 'stderr' ? process.stderr : process.stdout),
    webhookPolicy: data.webhookPolicy,
    nodeId: data.nodeId,
  };
  const network = new LocalNetwork(deps, data.network);
  // Started before the API thread's messages are heard: a settle or stop among them waits for it.
  const started = network.start();
  port.on('message', (message: ToNetworkThread) => {
    switch (message.type) {
      case 'notify':
        for (const kind of message.kinds) network.notify(kind);
        break;
      case 'clock':
        if (clock instanceof FakeClock) clock.set(new Date(message.at));
        break;
      case 'settle':
        network.settle().then(
          () => post({ type: 'settled', id: message.id }),
          (error: unknown) => post({ type: 'settled', id: message.id, error: (error as Error).message }),
        );
        break;
      case 'stop':
        // Each part is closed even when the one before failed; the thread ends either way.
        started
          .catch(() => {})
          .then(() => network.stop())
          .catch((error: unknown) => deps.logger.error({ err: error }, 'the network could not stop cleanly'))
          .then(() => store.close())
          .catch((error: unknown) => deps.logger.error({ err: error }, 'the network thread could not close its database'))
          .finally(() => post({ type: 'stopped' }));
        break;
    }
  });
  await started;
  post({ type: 'ready' });
}

// A failure to start is thrown: the API's thread gets it as the thread's 'error', which comes
// before its 'exit' (a message posted just before the end may not).
main().catch((error: unknown) => {
  throw error;
});
