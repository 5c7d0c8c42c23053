// Entry of the bundled CLI (dist/cli/cli.mjs), started by registry-transfer.mjs.
import { letHeapGrowForTransfers } from '../engine/heap-growth';
import { readHiddenLine } from './prompt';
import { runCli } from './run';

// This process sends the files: see heap-growth.ts for what ssh2's buffers do to V8's collector.
letHeapGrowForTransfers();

// `registry-transfer list | head` closes the pipe early; that is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

const flushed = (stream: NodeJS.WriteStream) => new Promise<void>((resolve) => stream.write('', () => resolve()));

const code = await runCli(process.argv.slice(2), {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  env: process.env,
  stdoutIsTTY: process.stdout.isTTY === true,
  stdinIsTTY: process.stdin.isTTY === true,
  readSecret: (prompt) => readHiddenLine(process.stdin, process.stderr, prompt),
});
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
// Exit now rather than when the event loop drains: a keychain call that never answers must not keep
// a scheduled job running.
process.exit(code);
