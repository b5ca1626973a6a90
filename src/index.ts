/** Shortroute as a library: start a server in-process (tests, scripts) and reach it. */
export { startShortroute, StartupError, VERSION, type Shortroute, type StartOptions } from './app.js';
export { buildServer, type ServerOptions } from './server.js';
export { FakeClock, systemClock, type Clock } from './clock.js';
export type { Config } from './config.js';
