// Trust decisions for server identities (SSH host keys, TLS certificates): persistent ("Trust"),
// for this connection only ("Allow this connection only"), or none. Persistent ones live in settings.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { CertificateDetails, IdentityKind, TrustedIdentity } from '../../../shared/contract';
import type { SettingsStore } from '../settings/settings-store';
import { sameFingerprint } from './fingerprint';

const SETTINGS_KEY = 'trustedIdentities';

const storedSchema = z.array(
  z.object({
    id: z.string(),
    host: z.string(),
    port: z.number(),
    kind: z.enum(['ssh-host-key', 'tls-certificate']),
    fingerprint: z.string(),
    description: z.string(),
    firstTrusted: z.string(),
  }),
);

/** What a server presented. */
export interface SeenIdentity {
  host: string;
  port: number;
  kind: IdentityKind;
  fingerprint: string;
  description: string;
  /** TLS only: what the certificate prompt shows. */
  certificate?: CertificateDetails;
}

export type TrustDecision =
  | { status: 'trusted'; identity: TrustedIdentity }
  | { status: 'unknown' }
  | { status: 'changed'; previous: TrustedIdentity };

const sameServer = (a: { host: string; port: number; kind: IdentityKind }, b: { host: string; port: number; kind: IdentityKind }) =>
  a.host.toLowerCase() === b.host.toLowerCase() && a.port === b.port && a.kind === b.kind;

export class TrustStore {
  constructor(
    private readonly settings: SettingsStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  list(): TrustedIdentity[] {
    const parsed = storedSchema.safeParse(this.settings.get(SETTINGS_KEY) ?? []);
    // A damaged list trusts nothing: every server is asked about again, which is safe.
    return parsed.success ? parsed.data : [];
  }

  decide(seen: SeenIdentity): TrustDecision {
    const saved = this.list().find((t) => sameServer(t, seen));
    if (!saved) return { status: 'unknown' };
    return sameFingerprint(saved.fingerprint, seen.fingerprint) ? { status: 'trusted', identity: saved } : { status: 'changed', previous: saved };
  }

  /** Trust this identity for this server from now on, replacing any earlier one. */
  trust(seen: SeenIdentity): TrustedIdentity {
    const entry: TrustedIdentity = {
      id: randomUUID(),
      host: seen.host.toLowerCase(),
      port: seen.port,
      kind: seen.kind,
      fingerprint: seen.fingerprint,
      description: seen.description,
      firstTrusted: this.now().toISOString(),
    };
    this.settings.set(SETTINGS_KEY, [...this.list().filter((t) => !sameServer(t, seen)), entry]);
    return entry;
  }

  remove(id: string): boolean {
    const before = this.list();
    const after = before.filter((t) => t.id !== id);
    if (after.length === before.length) return false;
    this.settings.set(SETTINGS_KEY, after);
    return true;
  }
}
