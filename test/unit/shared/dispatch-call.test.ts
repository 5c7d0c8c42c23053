// dispatchCall is the gate every call from the window passes (in Electron's main process and in the
// e2e bridge alike): nothing that does not match the contract reaches the engine, and nothing the
// engine throws reaches the window.
import { describe, expect, it, vi } from 'vitest';
import { CALL_NAMES, dispatchCall, type CallHandlers } from '../../../shared/contract';

function recordingHandlers() {
  const handlers = Object.fromEntries(CALL_NAMES.map((name) => [name, vi.fn(async () => ({ ok: true }))])) as unknown as CallHandlers;
  const calledAtAll = () => CALL_NAMES.some((name) => vi.mocked(handlers[name]).mock.calls.length > 0);
  return { handlers, calledAtAll };
}

const validConnect = { profileId: 'texas-immtrac2', protocol: 'sftp', username: 'TX1234', password: 'Winter-Clinic-2026!' };

describe('dispatchCall', () => {
  it('hands a valid call to its handler, with the parsed input', async () => {
    const { handlers } = recordingHandlers();
    await expect(dispatchCall(handlers, 'connect', { ...validConnect, username: '  TX1234 ' })).resolves.toEqual({ ok: true });
    expect(handlers.connect).toHaveBeenCalledWith({ ...validConnect, username: 'TX1234' });
    await dispatchCall(handlers, 'listProfiles', undefined);
    expect(handlers.listProfiles).toHaveBeenCalledWith({});
  });

  it.each([
    ['an unknown name', 'deleteEverything', {}],
    ['a name from Object.prototype', 'toString', {}],
    ['__proto__', '__proto__', {}],
    ['a name that is not a string', 42, {}],
  ])('refuses %s', async (_label, name, payload) => {
    const { handlers, calledAtAll } = recordingHandlers();
    await expect(dispatchCall(handlers, name, payload)).resolves.toEqual({
      ok: false,
      code: 'invalid-input',
      message: 'The app asked for something it does not know how to do.',
    });
    expect(calledAtAll()).toBe(false);
  });

  it.each([
    ['a wrong type', 'connect', { ...validConnect, username: 1234 }, 'username'],
    ['an unknown protocol', 'connect', { ...validConnect, protocol: 'ftp' }, 'protocol'],
    ['an unknown folder role', 'listRemoteFolder', { role: 'everything' }, 'role'],
    ['an unknown answer', 'answerRequest', { id: 'abc', answer: 'yes' }, 'answer'],
    ['a payload that is not an object', 'listLocalFolder', '/home/clinic', null],
    ['an extra key', 'listLocalFolder', { path: '/home/clinic', recursive: true }, null],
    ['an extra key on a call that takes nothing', 'disconnect', { force: true }, null],
    ['a NUL in a local path', 'listLocalFolder', { path: '/home/clinic\u0000/etc' }, 'path'],
    ['a new line in a local path', 'listLocalFolder', { path: '/home/clinic\n/etc' }, 'path'],
    ['an over-long local path', 'listLocalFolder', { path: `/${'a'.repeat(4096)}` }, 'path'],
    ['an over-long username', 'connect', { ...validConnect, username: 'T'.repeat(129) }, 'username'],
    ['a username with a space', 'connect', { ...validConnect, username: 'TX 1234' }, 'username'],
    ['an over-long password', 'connect', { ...validConnect, password: 'p'.repeat(1025) }, 'password'],
    ['an over-long id', 'removeTrusted', { id: 'a'.repeat(101) }, 'id'],
    ['an id with a slash', 'openWebClient', { profileId: '../texas' }, 'profileId'],
  ])('refuses %s before any handler runs', async (_label, name, payload, field) => {
    const { handlers, calledAtAll } = recordingHandlers();
    const result = await dispatchCall(handlers, name, payload);
    expect(result).toMatchObject({ ok: false, code: 'invalid-input' });
    const message = (result as { message: string }).message;
    expect(message).toMatch(/^That request was not valid/);
    if (field) expect(message).toContain(`(${field})`);
    expect(calledAtAll()).toBe(false);
  });

  it('never echoes a refused password back', async () => {
    const { handlers } = recordingHandlers();
    const password = `${'Secret-'.repeat(150)}!`;
    const result = await dispatchCall(handlers, 'connect', { ...validConnect, password });
    expect(JSON.stringify(result)).not.toContain('Secret-');
  });

  it('turns a thrown handler error into a generic internal failure, leaking none of its text', async () => {
    const { handlers } = recordingHandlers();
    vi.mocked(handlers.listLocalFolder).mockRejectedValueOnce(new Error('EACCES /home/clinic/.ssh/id_rsa password=Winter-Clinic-2026!'));
    const result = await dispatchCall(handlers, 'listLocalFolder', { path: '/home/clinic' });
    expect(result).toEqual({
      ok: false,
      code: 'internal',
      message: 'Something went wrong inside the app. Nothing was changed. Please try again.',
    });
    expect(JSON.stringify(result)).not.toMatch(/EACCES|id_rsa|Winter/);
  });
});
