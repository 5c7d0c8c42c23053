import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the JavaScript heap grow, in percent of what survived the last full garbage
 * collection, before it starts the next one. V8 picks between 10 and 300 itself; this fixes 300.
 *
 * Why: ssh2 builds every SSH packet and every SFTP write request in a buffer of its own, so sending
 * a file allocates twice its size in buffers that live a few milliseconds. V8 counts buffer memory
 * allocated since the last full collection against the old generation's limit, and the young
 * collection that frees those buffers comes only every 32 MiB of them. The engine's heap is small
 * (about 11 MB live in the benchmark's process), V8's own growth left it about 16 MB of room, and a
 * 256 MiB SFTP upload set off 15 to 30 full collections: a third more CPU for the whole machine
 * during the transfer, taken from the servers and everything else on the same cores. With room for
 * four times the live heap there were at most two, and the peak memory of a 1 GiB upload stayed at
 * 123 to 125 MiB. Measured with `npm run bench` (its "full garbage collections" line).
 */
export const HEAP_GROWING_PERCENT = 300;

/** Call once, first thing, in a process that runs the engine (the app's main process, the CLI). */
export function letHeapGrowForTransfers(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
