// An expired password on a profile that says nothing of password changes (issue 18, item 5): Debian's
// OpenSSH with PAM takes the password by the "password" method, then ends the session it cannot ask
// for a new one in. The app signs in once more by keyboard-interactive, where PAM asks, so the user
// gets the new-password question (and the change is made), not "Something unexpected happened".
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RegistryEvent } from '../../shared/contract';
import { createRegistryService, type RegistryService } from '../../electron/engine/registry-service';
import { MemorySettings } from '../../electron/engine/settings/settings-store';
import { localTexasProfile, startSshd, type SshServer } from '../support/sshd';

const NEW_PASSWORD = 'Fresh-Heron-8842%';
let server: SshServer;
let service: RegistryService;
const events: RegistryEvent[] = [];

beforeAll(async () => {
  server = await startSshd({ tag: 'XE' });
  execFileSync('chage', ['-d', '0', server.home.username]);
  const settings = new MemorySettings();
  const profile = localTexasProfile(server.port, 'plain-profile');
  expect(profile).not.toHaveProperty('passwordChange');
  settings.set('customProfiles', [profile]);
  service = createRegistryService({
    settings,
    emit: (event) => {
      events.push(event);
      if (event.type !== 'request') return;
      if (event.request.kind === 'host-key') void service.handlers.answerRequest({ id: event.request.id, answer: 'trust' });
      if (event.request.kind === 'new-password') void service.handlers.answerRequest({ id: event.request.id, answer: { newPassword: NEW_PASSWORD } });
    },
    openExternal: async () => undefined,
    appInfo: { name: 'Registry Transfer', version: 'test' },
    timeoutSeconds: 20,
  });
}, 60_000);

afterAll(async () => {
  await service?.dispose();
  await server?.stop();
});

it('asks for a new password and makes the change, then signs in with it', async () => {
  const connected = await service.handlers.connect({ profileId: 'plain-profile', protocol: 'sftp', username: server.home.username, password: server.home.password });
  expect(connected, JSON.stringify(connected)).toMatchObject({ ok: true });
  expect(events.filter((e) => e.type === 'request' && e.request.kind === 'new-password')).toHaveLength(1);
  // The account's password is now the new one: the old one no longer signs in, the new one does.
  expect(server.log()).toMatch(new RegExp(`Accepted keyboard-interactive/pam for ${server.home.username} `));
  await service.handlers.disconnect({});
  const again = await service.handlers.connect({ profileId: 'plain-profile', protocol: 'sftp', username: server.home.username, password: NEW_PASSWORD });
  expect(again).toMatchObject({ ok: true });
}, 60_000);
