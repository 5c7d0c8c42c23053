// The profile's password-change methods, the first-login bookkeeping and the forgotten-password
// advice, on the built-in registries and custom profiles.
import { describe, expect, it } from 'vitest';
import {
  changeMethodFor,
  demandedChangeProblem,
  FirstLoginRecord,
  forgotPasswordAdvice,
  onlyWhenAskedFailure,
  PASSWORD_CHANGED_AT_KEY,
  siteCommandFor,
} from '../../../../electron/engine/credentials/password-change';
import { builtInProfiles, parseProfile, ProfileError, summarizeProfile } from '../../../../electron/engine/profiles';
import { MemorySettings } from '../../../../electron/engine/settings/settings-store';

const byId = (id: string) => builtInProfiles.find((p) => p.id === id)!;
const custom = (passwordChange: Record<string, unknown>) =>
  parseProfile({
    id: 'example-registry',
    name: 'Example Registry',
    endpoints: [
      { protocol: 'sftp', host: 'sftp.example.test', port: 22 },
      { protocol: 'ftps', host: 'ftps.example.test', port: 990, tls: 'implicit' },
    ],
    folders: [{ role: 'dropoff', name: 'Inbound', path: '.', rights: ['list', 'write'] }],
    passwordChange,
    support: { team: 'Example support' },
  });

describe('password-change methods in the profiles', () => {
  it('Texas: asked at sign-in over SFTP, WS_FTP 560 then PASS old new over FTPS; Colorado: its web page over FTPS', () => {
    expect(changeMethodFor(byId('texas-immtrac2'), 'sftp')).toBe('server-prompt');
    expect(changeMethodFor(byId('texas-immtrac2'), 'ftps')).toBe('pass-old-new');
    expect(changeMethodFor(byId('colorado-ciis'), 'sftp')).toBe('server-prompt');
    expect(changeMethodFor(byId('colorado-ciis'), 'ftps')).toBe('web-page');
    expect(summarizeProfile(byId('colorado-ciis'), true).passwordChange.methods).toEqual({ sftp: 'server-prompt', ftps: 'web-page' });
  });

  it('a custom profile that says nothing answers only what the server demands; SITE PSWD can be quoted', () => {
    const plain = custom({});
    expect(plain.passwordChange.methods).toEqual({ sftp: 'server-prompt', ftps: 'pass-old-new' });
    expect(siteCommandFor(plain, 'pass-old-new')).toBeNull();
    const titan = custom({ methods: { ftps: 'site-pswd' }, sitePswd: { quoted: true } });
    expect(siteCommandFor(titan, changeMethodFor(titan, 'ftps'))).toEqual({ method: 'site-pswd', quoted: true });
    expect(siteCommandFor(custom({ methods: { ftps: 'site-cpwd' } }), 'site-cpwd')).toEqual({ method: 'site-cpwd' });
  });

  it('a web-page method needs the page, and an unknown method is refused', () => {
    expect(() => custom({ methods: { ftps: 'web-page' } })).toThrow(ProfileError);
    expect(() => custom({ methods: { ftps: 'web-page' } })).toThrow(/passwordChange\.methods\.ftps: a ftps password change on the web page needs passwordChange\.webPageUrl/);
    expect(() => custom({ methods: { sftp: 'site-pswd' } })).toThrow(ProfileError);
    expect(() => custom({ methods: { ftps: 'site-chpwd' } })).toThrow(ProfileError);
  });

  it('a new password at sign-in is an answer only where the server can demand one', () => {
    const texas = byId('texas-immtrac2');
    expect(demandedChangeProblem(texas, 'sftp', ['Old One-1!'], 'New One-2!')).toBeNull();
    expect(demandedChangeProblem(texas, 'ftps', ['Old-1!'], 'New-2!')).toBeNull();
    expect(demandedChangeProblem(texas, 'ftps', ['Old-1!'], 'New Two-2!')).toMatch(/neither may contain a space/);
    expect(demandedChangeProblem(byId('colorado-ciis'), 'ftps', [], 'New-2!')).toBe(
      'Colorado CIIS does not change passwords at sign-in over FTPS. Change it on its web page (https://cohealthnet.com:447/manageaccount), then sign in with the new one.',
    );
    expect(demandedChangeProblem(custom({ methods: { ftps: 'site-pswd' } }), 'ftps', [], 'New-2!')).toMatch(/Sign in with the current password first, then change it\.$/);
  });

  it('a registry that changes passwords only when it asks says so, with its page when it has one', () => {
    expect(onlyWhenAskedFailure(byId('texas-immtrac2')).message).toBe(
      'This registry changes passwords only when it asks at sign-in, or on its web page (https://immtrac-ftp1.dshs.state.tx.us/ThinClient). Nothing was changed.',
    );
    expect(onlyWhenAskedFailure(custom({})).message).toBe('This registry changes passwords only when it asks at sign-in. Nothing was changed; Example support can help.');
  });
});

describe('first-login bookkeeping', () => {
  it('is due until a change is recorded for that login, and only where the profile requires one', () => {
    const settings = new MemorySettings();
    const record = new FirstLoginRecord(settings);
    const texas = byId('texas-immtrac2');
    expect(record.isDue(texas, 'ABC123')).toBe(true);
    expect(record.isDue(custom({}), 'ABC123')).toBe(false);
    record.markChanged('texas-immtrac2', 'ABC123', new Date('2026-11-14T09:05:00Z'));
    expect(record.isDue(texas, 'ABC123')).toBe(false);
    expect(record.isDue(texas, 'XYZ789')).toBe(true);
    expect(record.isDue(byId('colorado-ciis'), 'ABC123')).toBe(true);
    expect(settings.get(PASSWORD_CHANGED_AT_KEY)).toEqual({ 'texas-immtrac2:ABC123': '2026-11-14T09:05:00.000Z' });
  });

  it('ignores a damaged record rather than failing', () => {
    const settings = new MemorySettings();
    settings.set(PASSWORD_CHANGED_AT_KEY, ['not', 'a', 'record']);
    const record = new FirstLoginRecord(settings);
    expect(record.isDue(byId('texas-immtrac2'), 'ABC123')).toBe(true);
    record.markChanged('texas-immtrac2', 'ABC123');
    expect(record.changedAt('texas-immtrac2', 'ABC123')).toMatch(/^\d{4}-/);
  });
});

describe('a forgotten password', () => {
  it('a custom registry without words of its own: ask its support team', () => {
    const advice = forgotPasswordAdvice(custom({}));
    expect(advice).toEqual({
      ok: true,
      message:
        'Example Registry does not keep passwords where anyone can read them back, so a forgotten password cannot be recovered, only reset by the registry. Ask Example support to reset it. After a reset, sign in with the password the registry gives you; it will ask you to choose a new one.',
      support: { team: 'Example support' },
      webPageUrl: null,
    });
  });
});
