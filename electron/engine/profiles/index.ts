// Profiles: the built-in registries plus custom ones, all validated by one schema.
import { readFile } from 'node:fs/promises';
import type { ProfileSummary, Protocol } from '../../../shared/contract';
import { BUILT_IN_PROFILES } from './builtin';
import { profileSchema, type Profile, type ProfileEndpoint } from './schema';

export { profileSchema, type Profile, type ProfileEndpoint } from './schema';

export class ProfileError extends Error {}

/** Parse a profile, returning every problem in one plain sentence. */
export function parseProfile(raw: unknown, source = 'the profile'): Profile {
  const parsed = profileSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 5)
      .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
      .join('; ');
    throw new ProfileError(`${source} is not a valid registry profile (${problems}).`);
  }
  return parsed.data;
}

export const builtInProfiles: readonly Profile[] = BUILT_IN_PROFILES.map((p) => parseProfile(p, p.id));

/**
 * A text file's characters, whatever byte order mark an editor put first: Windows Notepad writes
 * UTF-8 with a mark (EF BB BF), and its "Unicode" is UTF-16 little-endian (FF FE). Without a mark,
 * UTF-8. The mark itself is not part of the text (JSON.parse refuses it).
 */
export function decodeTextFile(bytes: Buffer): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('utf8');
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return Buffer.from(bytes.subarray(2, bytes.length - (bytes.length % 2))).swap16().toString('utf16le');
  return bytes.toString('utf8');
}

export async function loadProfileFile(path: string): Promise<Profile> {
  let text: string;
  try {
    text = decodeTextFile(await readFile(path));
  } catch {
    throw new ProfileError(`The profile file ${path} could not be read.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ProfileError(`The profile file ${path} is not valid JSON.`);
  }
  return parseProfile(json, `The profile file ${path}`);
}

export function endpointFor(profile: Profile, protocol: Protocol): ProfileEndpoint | undefined {
  return profile.endpoints.find((e) => e.protocol === protocol);
}

/** How to give the registry a public key: the profile's own words, else its support team's name. */
export function publicKeyInstructions(profile: Profile): string {
  if (profile.publicKeyInstructions) return profile.publicKeyInstructions;
  const email = profile.support.email ? ` (${profile.support.email})` : '';
  return `Send the public key to ${profile.support.team}${email} the way they ask for it, by encrypted e-mail if they take keys by e-mail.`;
}

export function summarizeProfile(profile: Profile, builtIn: boolean): ProfileSummary {
  return {
    id: profile.id,
    name: profile.name,
    builtIn,
    endpoints: profile.endpoints.map((e) => ({ ...e })),
    usernameLabel: profile.username.label,
    usernameHint: profile.username.hint,
    folders: profile.folders.map(({ role, name, rights, description }) => ({ role, name, rights: [...rights], description })),
    quotaFiles: profile.quotaFiles,
    retentionDays: profile.retentionDays,
    reportFormats: [...profile.reportFormats],
    webClientUrl: profile.webClientUrl,
    support: { ...profile.support },
    publicKeyInstructions: publicKeyInstructions(profile),
    network: {
      timeoutSeconds: profile.network.timeoutSeconds,
      retries: profile.network.retries,
      keepAlive: profile.network.keepAlive,
      disconnectAfterTransfers: profile.network.disconnectAfterTransfers,
    },
    passwordChange: {
      requiredAtFirstLogin: profile.passwordChange.requiredAtFirstLogin,
      webPageUrl: profile.passwordChange.webPageUrl,
      rules: { ...profile.passwordChange.rules },
      methods: { ...profile.passwordChange.methods },
    },
  };
}

/** The profiles a user can pick: built-ins first, then custom ones (which cannot shadow a built-in). */
export class ProfileCatalog {
  constructor(
    private readonly custom: () => Profile[] = () => [],
    /** Profiles the app itself provides at run time (the practice registry, with its current ports), listed first. */
    private readonly provided: () => Profile[] = () => [],
  ) {}

  all(): { profile: Profile; builtIn: boolean }[] {
    const provided = this.provided();
    const builtInIds = new Set([...provided, ...builtInProfiles].map((p) => p.id));
    return [
      ...provided.map((profile) => ({ profile, builtIn: true })),
      ...builtInProfiles.map((profile) => ({ profile, builtIn: true })),
      ...this.custom()
        .filter((p) => !builtInIds.has(p.id))
        .map((profile) => ({ profile, builtIn: false })),
    ];
  }

  get(id: string): Profile | undefined {
    return this.all().find((e) => e.profile.id === id)?.profile;
  }
}
