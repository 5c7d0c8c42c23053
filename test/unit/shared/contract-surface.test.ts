// The whole call surface of shared/contract.ts, kept in a committed file
// (test/unit/shared/__snapshots__/contract-surface.json), so that every change to a call's name,
// input or result, to the events, the error codes or the channels shows in review as a change to that
// file (issue 12, item 6). A change on purpose: `npx vitest run --config test/vitest.config.ts
// test/unit/shared/contract-surface.test.ts -u`, then commit the file beside the change.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { contractSurface } from '../../support/contract-surface';

const SNAPSHOT = new URL('./__snapshots__/contract-surface.json', import.meta.url);

describe('the contract between the window, the main process and the CLI', () => {
  it('has the call surface of the committed snapshot', async () => {
    // Vitest writes a missing snapshot file and passes; a deleted snapshot must fail instead.
    expect(existsSync(SNAPSHOT), 'the committed snapshot file is missing').toBe(true);
    const surface = contractSurface();
    await expect(`${JSON.stringify(surface, null, 2)}\n`).toMatchFileSnapshot(SNAPSHOT.pathname);
  }, 120_000);
});
