// The zod-free call names the preload builds `window.registry` from are exactly the contract's calls,
// in the same order (the compiler checks the set through `satisfies`; this checks the order too).
import { describe, expect, it } from 'vitest';
import * as callNames from '../../../shared/call-names';
import * as contract from '../../../shared/contract';

describe('shared/call-names.ts', () => {
  it('names every call of the contract, in the order `calls` lists them', () => {
    expect([...callNames.CALL_NAMES]).toEqual(Object.keys(contract.calls));
  });

  it('is what the contract re-exports, so main and the preload use the same names and channels', () => {
    expect(contract.CALL_NAMES).toBe(callNames.CALL_NAMES);
    expect(contract.callChannel).toBe(callNames.callChannel);
    expect(contract.EVENT_CHANNEL).toBe(callNames.EVENT_CHANNEL);
    expect(contract.DROPPED_FILE_CHANNEL).toBe(callNames.DROPPED_FILE_CHANNEL);
    expect(new Set(callNames.CALL_NAMES.map(callNames.callChannel)).size).toBe(callNames.CALL_NAMES.length);
  });
});
