import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // Integration tests start real servers (sshd, vsftpd) on their own ports; two workers on two cores.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    globalSetup: ['./test/support/build-once.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
