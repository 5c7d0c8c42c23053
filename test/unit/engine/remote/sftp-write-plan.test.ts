// How an SFTP upload is cut into write requests: every request fills whole SSH packets (a request a
// few bytes too long for one packet would go out as two, the second almost empty), at most four,
// stays within what the server allows, and about 2 MiB are in flight, as with OpenSSH's own client.
import { describe, expect, it } from 'vitest';
import { writePlan } from '../../../../electron/engine/remote/sftp';

/** An SFTP write request: length, type, id, handle, offset, data length, then the data. */
const requestLength = (handleLength: number, data: number) => 4 + 1 + 4 + 4 + handleLength + 8 + 4 + data;

describe('writePlan', () => {
  it("fills four full 32 KiB packets per write under OpenSSH's 255 KiB limit, just over 2 MiB in flight", () => {
    const plan = writePlan(32 * 1024, 261_120, 4);
    expect(requestLength(4, plan.writeSize)).toBe(4 * 32 * 1024);
    expect(plan.writeSize).toBeLessThanOrEqual(261_120);
    expect(plan.inFlight).toBe(17);
    expect((plan.inFlight - 1) * plan.writeSize).toBeLessThan(2 * 1024 * 1024);
    expect(plan.inFlight * plan.writeSize).toBeGreaterThanOrEqual(2 * 1024 * 1024);
    expect(plan.readSize % plan.writeSize).toBe(0);
  });

  it('fits each write in one packet for a server that states no limit (ssh2 then assumes about 33 KB)', () => {
    const plan = writePlan(32 * 1024, 34_000 - 29, 4);
    expect(requestLength(4, plan.writeSize)).toBe(32 * 1024);
    expect(plan.inFlight).toBe(Math.min(64, Math.ceil((2 * 1024 * 1024) / plan.writeSize)));
    // The file is read about 1 MiB at a time, in whole writes.
    expect(plan.readSize).toBe(plan.writeSize * 32);
  });

  it('allows for a longer handle, a larger packet size and a server that allows only small writes', () => {
    expect(requestLength(16, writePlan(32 * 1024, 261_120, 16).writeSize)).toBe(4 * 32 * 1024);
    expect(requestLength(4, writePlan(64 * 1024, 261_120, 4).writeSize)).toBe(3 * 64 * 1024);
    expect(requestLength(4, writePlan(32 * 1024, 70_000, 4).writeSize)).toBe(2 * 32 * 1024);
    const small = writePlan(32 * 1024, 8 * 1024, 4);
    expect(small.writeSize).toBe(8 * 1024);
    expect(small.inFlight).toBe(64);
  });
});
