// What a network library throws becomes a plain sentence for the clinic's staff (with the host, the
// port, the timeout where they matter) and a `detail` with the raw text for their IT.
import { describe, expect, it } from 'vitest';
import { toRemoteError, type ErrorContext } from '../../../../electron/engine/remote/errors';
import { RemoteError } from '../../../../electron/engine/remote/remote-fs';

const ctx: ErrorContext = {
  host: 'immtrac-ftp1.dshs.state.tx.us',
  port: 22,
  timeoutSeconds: 65,
  usernameLabel: 'Import code',
  supportTeam: 'Texas Immunization Registry Interoperability Team',
};

/** An error shaped as Node, ssh2 and ssh2-sftp-client throw them. */
const thrown = (message: string, props: Record<string, unknown> = {}) => Object.assign(new Error(message), props);

describe('toRemoteError', () => {
  it('says a refused connection is unreachable, naming host and port', () => {
    const error = toRemoteError(thrown('connect: Remote host refused connection', { code: 'ECONNREFUSED' }), ctx);
    expect(error).toBeInstanceOf(RemoteError);
    expect(error.code).toBe('unreachable');
    expect(error.message).toBe(
      'The registry server at immtrac-ftp1.dshs.state.tx.us port 22 refused the connection. The server may be down, or the address or port may be wrong.',
    );
    expect(error.detail).toBe('ECONNREFUSED: connect: Remote host refused connection');
  });

  it('recognises a refusal from the text alone', () => {
    expect(toRemoteError(thrown('connect ECONNREFUSED 127.0.0.1:22'), ctx).code).toBe('unreachable');
  });

  it('says a name that does not resolve could not be found, naming the host', () => {
    const error = toRemoteError(thrown('getaddrinfo ENOTFOUND immtrac-ftp1.dshs.state.tx.us', { code: 'ENOTFOUND' }), ctx);
    expect(error.code).toBe('unreachable');
    expect(error.message).toContain('The server name immtrac-ftp1.dshs.state.tx.us could not be found');
  });

  it.each([
    ['ssh2 handshake timeout', thrown('Timed out while waiting for handshake', { level: 'client-timeout' })],
    ['a socket timeout', thrown('connect ETIMEDOUT 10.0.0.1:22', { code: 'ETIMEDOUT' })],
  ])('says %s did not answer within the timeout, naming host, port and seconds', (_label, error) => {
    const mapped = toRemoteError(error, ctx);
    expect(mapped.code).toBe('timeout');
    expect(mapped.message).toBe(
      'The registry server at immtrac-ftp1.dshs.state.tx.us port 22 did not answer within 65 seconds. A firewall may be blocking port 22, or the server may be busy or down.',
    );
  });

  it('says a reset connection was dropped, and that nothing was changed', () => {
    const error = toRemoteError(thrown('read ECONNRESET', { code: 'ECONNRESET' }), ctx);
    expect(error.code).toBe('unreachable');
    expect(error.message).toBe(
      'The connection to immtrac-ftp1.dshs.state.tx.us port 22 was dropped by the server or the network. Nothing was changed; try again.',
    );
  });

  it.each([
    ['ssh2 with its level', thrown('All configured authentication methods failed', { level: 'client-authentication' })],
    ['ssh2-sftp-client, which keeps only the text', thrown('connect: All configured authentication methods failed')],
    ['an FTP server', thrown('530 Login incorrect.', { code: 530 })],
  ])('says a refused login (%s) was not accepted, in the profile\'s words, tried once', (_label, error) => {
    const mapped = toRemoteError(error, ctx);
    expect(mapped.code).toBe('auth-failed');
    expect(mapped.message).toBe(
      'The registry did not accept that import code and password. The app tried only once, so repeated attempts will not lock the account. If the password is forgotten, only the registry can reset it (Texas Immunization Registry Interoperability Team).',
    );
  });

  it('maps SFTP status 2 to not-found and 3 to permission-denied, naming the folder', () => {
    const missing = toRemoteError(thrown('_list: No such file: /TX1234/Outbox', { code: 2 }), { ...ctx, path: '/TX1234/Outbox' });
    expect(missing.code).toBe('not-found');
    expect(missing.message).toBe('/TX1234/Outbox was not found on the registry server.');
    const denied = toRemoteError(thrown('_list: Permission denied: /TX1234/Accepted', { code: 3 }), { ...ctx, path: '/TX1234/Accepted' });
    expect(denied.code).toBe('permission-denied');
    expect(denied.message).toBe('The registry does not allow this account to do that in /TX1234/Accepted.');
  });

  it('trusts the SFTP status code over words that happen to be in a folder name', () => {
    const path = '/TX1234/Timeout-Reports';
    const error = toRemoteError(thrown(`_list: No such file: ${path}`, { code: 2 }), { ...ctx, path });
    expect(error.code).toBe('not-found');
  });

  it('keeps server text out of the message: whatever a server echoes reaches only the detail for IT', () => {
    const password = 'Winter-Clinic-2026!';
    for (const error of [
      thrown(`connect ECONNREFUSED while sending ${password}`, { code: 'ECONNREFUSED' }),
      thrown(`auth for TX1234 with ${password}: All configured authentication methods failed`, { level: 'client-authentication' }),
      thrown(`weird server reply ${password}`),
    ]) {
      const mapped = toRemoteError(error, ctx);
      expect(mapped.message).not.toContain(password);
      expect(mapped.message).not.toContain('while sending');
    }
  });

  it('calls anything else unexpected, without server text, and caps the detail', () => {
    const error = toRemoteError(thrown(`protocol oddity ${'x'.repeat(2000)}`, { code: 'ERR_GENERIC_CLIENT' }), ctx);
    expect(error.code).toBe('internal');
    expect(error.message).toBe(
      'Something unexpected happened talking to immtrac-ftp1.dshs.state.tx.us port 22. Nothing was changed; try again, and if it keeps happening, show this message to your IT.',
    );
    expect(error.detail?.length).toBeLessThanOrEqual(500);
    expect(toRemoteError('a bare string', ctx).code).toBe('internal');
    expect(toRemoteError(undefined, ctx).code).toBe('internal');
  });

  it('passes a RemoteError through unchanged', () => {
    const original = new RemoteError('folders-missing', 'Signed in, but the folders were not found.');
    expect(toRemoteError(original, ctx)).toBe(original);
  });
});

describe('secrets in error text', () => {
  it('never carries the password into the message or the detail', () => {
    const error = Object.assign(new Error('server said: bad password Sup3r-Secret! for TX1234'), { code: 'EWEIRD' });
    const mapped = toRemoteError(error, { host: 'h', port: 22, timeoutSeconds: 65, secrets: ['Sup3r-Secret!'] });
    expect(mapped.message).not.toContain('Sup3r-Secret!');
    expect(mapped.detail).not.toContain('Sup3r-Secret!');
    expect(mapped.detail).toContain('[hidden]');
  });
});
