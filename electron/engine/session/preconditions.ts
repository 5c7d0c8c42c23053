// What must hold before a call can do anything, checked in one place with one wording each, as
// FileZilla's engine does: a call made while not connected, for a profile that is gone, or while a
// sign-in is under way gets the same sentence wherever it came from (the window or the command line).
import { RemoteError } from '../remote/remote-fs';
import type { Profile, ProfileCatalog } from '../profiles';

export const NOT_CONNECTED = 'Not connected to a registry. Connect first.';
export const UNKNOWN_PROFILE = 'That registry profile does not exist (any more). Choose another.';
export const BUSY_CONNECTING = 'Already connecting. Wait for that to finish, or cancel it.';

export const notConnected = () => new RemoteError('not-connected', NOT_CONNECTED);
export const busyConnecting = () => new RemoteError('busy', BUSY_CONNECTING);

export function requireProfile(catalog: ProfileCatalog, profileId: string): Profile {
  const profile = catalog.get(profileId);
  if (!profile) throw new RemoteError('unknown-profile', UNKNOWN_PROFILE);
  return profile;
}
