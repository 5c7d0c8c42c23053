// Imported first by the preload, before the contract builds its schemas. The preload never parses
// with them (main does), but zod probes `new Function` as each object schema is built, and the page's
// Content-Security-Policy (no 'unsafe-eval') would refuse it and log a violation on every start.
import { config } from 'zod';

config({ jitless: true });
