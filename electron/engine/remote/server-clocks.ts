// What the app has learned about FTP servers' clocks: how far ahead of UTC a server's LIST times
// are (vsftpd with `use_localtime=YES`, Windows servers), per server, so a listing shows the real
// moment a file was written. Kept in the settings (the desktop app and the CLI share them), keyed by
// host and port; it holds no secret. Servers that offer MLSD never need it: their times are UTC.
import type { SettingsStore } from '../settings/settings-store';

export const SERVER_CLOCKS_KEY = 'serverClocks';

/**
 * `own-upload`: a file this app had just written, its listed time against this computer's clock (the
 * surest: it is the listing's own clock). `mdtm`: a listed file's time against its MDTM, which RFC
 * 3659 says is UTC (FileZilla's way); wrong on servers whose MDTM follows their local clock too
 * (vsftpd with `use_localtime=YES`), so an own upload always overrules it.
 */
export type ClockEvidence = 'own-upload' | 'mdtm';

export interface ServerClockNote {
  /** The server's LIST clock minus UTC, in minutes (Texas in winter: -360). */
  offsetMinutes: number;
  learnedFrom: ClockEvidence;
  /** ISO time it was learned: a server's offset moves with daylight saving, so each connection's first upload learns it again. */
  learnedAt: string;
}

const keyOf = (host: string, port: number) => `${host.toLowerCase()}:${port}`;

function isNote(value: unknown): value is ServerClockNote {
  const v = value as Partial<ServerClockNote> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.offsetMinutes === 'number' &&
    Number.isInteger(v.offsetMinutes) &&
    Math.abs(v.offsetMinutes) <= 14 * 60 &&
    (v.learnedFrom === 'own-upload' || v.learnedFrom === 'mdtm') &&
    typeof v.learnedAt === 'string'
  );
}

export class ServerClocks {
  /** Without settings (a one-off connection in a test) the notes last as long as this object. */
  private readonly memory = new Map<string, ServerClockNote>();

  constructor(
    private readonly settings?: SettingsStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private all(): Record<string, unknown> {
    if (!this.settings) return Object.fromEntries(this.memory);
    const raw = this.settings.get(SERVER_CLOCKS_KEY);
    return raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  }

  get(host: string, port: number): ServerClockNote | undefined {
    const note = this.all()[keyOf(host, port)];
    return isNote(note) ? note : undefined;
  }

  /** Note an offset; MDTM's word never replaces what an own upload showed. */
  learn(host: string, port: number, offsetMinutes: number, learnedFrom: ClockEvidence): void {
    const known = this.get(host, port);
    if (learnedFrom === 'mdtm' && known?.learnedFrom === 'own-upload') return;
    if (known && known.offsetMinutes === offsetMinutes && known.learnedFrom === learnedFrom) return;
    const note: ServerClockNote = { offsetMinutes, learnedFrom, learnedAt: this.now().toISOString() };
    if (!this.settings) {
      this.memory.set(keyOf(host, port), note);
      return;
    }
    this.settings.set(SERVER_CLOCKS_KEY, { ...this.all(), [keyOf(host, port)]: note });
  }
}
