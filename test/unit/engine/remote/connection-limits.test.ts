// Which server replies are a full connection limit (issue 11, item 12), in the words real servers use,
// and which are not: a wrong password or a timeout must never be taken for one.
import { describe, expect, it } from 'vitest';
import { connectionLimitNamed, toRemoteError, type ErrorContext } from '../../../../electron/engine/remote/errors';

const ctx: ErrorContext = { host: 'immtrac-ftp1.dshs.state.tx.us', port: 990, timeoutSeconds: 65, usernameLabel: 'Import code' };

describe('connectionLimitNamed', () => {
  it.each([
    ['ProFTPD MaxClientsPerUser', '530 Sorry, the maximum number of clients (1) for this user are already connected.'],
    ['ProFTPD MaxHostsPerUser', '530 Sorry, the maximum number of hosts (1) for this user are already connected.'],
    ['ProFTPD mod_sftp', 'Maximum connections for host/user reached'],
    ['Pure-FTPd per user', "421 I can't accept more than 1 connections as the same user"],
    ['FileZilla Server, Serv-U', '421 Too many users logged in for this account. Try again later.'],
  ])('%s: the account holds its connections', (_server, reply) => {
    expect(connectionLimitNamed(reply)).toBe('account');
  });

  it.each([
    ['ProFTPD MaxClientsPerHost', '530 Sorry, the maximum number of clients (2) from your host are already connected.'],
    ['Pure-FTPd per address', '421 Too many connections (3) from this IP'],
    ['vsftpd max_per_ip', '421 There are too many connections from your internet address.'],
  ])('%s: this computer\'s address holds its connections (shared by the clinic behind one router, whatever the account)', (_server, reply) => {
    expect(connectionLimitNamed(reply)).toBe('address');
  });

  it.each([
    ['ProFTPD MaxClients', '530 Sorry, the maximum number of allowed clients (30) are already connected.'],
    ['Pure-FTPd', '421 50 users (the maximum) are already logged in, sorry'],
    ['vsftpd max_clients', '421 There are too many connected users, please try later.'],
  ])('%s: the whole server is full', (_server, reply) => {
    expect(connectionLimitNamed(reply)).toBe('server');
  });

  it.each(['530 Login incorrect.', '530 Please login with USER and PASS.', '421 Timeout.', '421 Service not available, remote server has closed connection', 'All configured authentication methods failed'])(
    'is not a limit: %s',
    (reply) => {
      expect(connectionLimitNamed(reply)).toBeNull();
    },
  );
});

describe('toRemoteError', () => {
  it('says a full limit is not a refused password, for FTP 530 and for an SSH disconnect', () => {
    for (const text of ['530 Sorry, the maximum number of clients (1) for this user are already connected.', 'getConnection: Maximum connections for host/user reached']) {
      const error = toRemoteError(Object.assign(new Error(text), { code: 12 }), ctx);
      expect(error.code).toBe('too-many-connections');
      expect(error.message).toContain('Another program or another copy of this app');
      expect(error.message).toContain('The import code and password were not refused');
    }
    const address = toRemoteError(new Error('421 There are too many connections from your internet address.'), ctx);
    expect(address.code).toBe('too-many-connections');
    expect(address.message).toContain("already open from this computer's internet address (other computers in the clinic may share that address)");
    expect(address.message).not.toContain('this account already has');
    expect(address.message).toContain('The import code and password were not refused: there is nothing to reset.');
    const full = toRemoteError(new Error('421 There are too many connected users, please try later.'), ctx);
    expect(full.code).toBe('too-many-connections');
    expect(full.message).toBe(
      'The registry server at immtrac-ftp1.dshs.state.tx.us is serving as many connections as it takes right now, so it did not let this one in. Try again in a few minutes. The import code and password were not refused: there is nothing to reset.',
    );
  });
});
