// One autocannon run, in its own process so the load generator does not share the server's
// event loop. Reads a job from the JSON file named by argv[2]; prints the result as JSON on stdout.
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

const job = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const options = {
  url: job.url,
  connections: job.connections,
  pipelining: 1,
  headers: job.headers,
  ...(job.amount ? { amount: job.amount } : { duration: job.duration }),
  // Requests a second over all connections: a trickle instead of as fast as answers come.
  ...(job.rate && { overallRate: job.rate }),
};

if (job.bodies) {
  // Each request takes the next (path, body): writes that must all be distinct.
  let next = 0;
  options.requests = [
    {
      method: 'POST',
      setupRequest: (request) => {
        const item = job.bodies[next++ % job.bodies.length];
        return { ...request, path: item.path, body: item.body };
      },
    },
  ];
} else {
  options.method = job.method ?? 'GET';
}

// The load generator's own CPU time: on this machine it shares the two cores with the server.
const cpuBefore = process.cpuUsage();
const run = autocannon(options);
// A run of a fixed number of requests ends at autocannon's next one-second sample, so its own
// duration overstates the time taken by up to a second (3,000 sends answered in 2.16 s were
// reported as 3.02 s). Time it from the start to the last answer instead.
const started = Date.now();
let lastAnswer = started;
run.on('response', () => {
  lastAnswer = Date.now();
});
const result = await run;
const cpu = process.cpuUsage(cpuBefore);
const seconds = job.amount ? (lastAnswer - started) / 1000 : result.duration;
process.stdout.write(
  JSON.stringify({
    requests: result.requests.average,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    p50: result.latency.p50,
    p99: result.latency.p99,
    duration: seconds,
    startedAt: started,
    lastAnswerAt: lastAnswer,
    okPerSecond: result['2xx'] / seconds,
    loadCpuPerRequest: (cpu.user + cpu.system) / Math.max(1, result.requests.total),
  }),
);
