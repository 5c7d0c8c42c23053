// The settings port: profiles, trust decisions and folders live behind it. The desktop app backs it
// with electron-store; the CLI and the tests with a JSON file in the same data folder.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface SettingsStore {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}

/** The file electron-store writes in the app's data folder, so the CLI and the app share it. */
export const SETTINGS_FILE_NAME = 'config.json';

/**
 * The settings file's text without the UTF-8 byte order mark Notepad puts first when the user saves
 * the file again (JSON.parse refuses it): such a file is read, not treated as damaged.
 */
export function withoutByteOrderMark(text: string): string {
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}

/**
 * A JSON file written atomically (temporary file, then rename) with owner-only permissions. It holds
 * no secret: passwords live in the OS keychain only.
 */
export class JsonFileSettings implements SettingsStore {
  private data: Record<string, unknown>;

  constructor(readonly file: string) {
    this.data = JsonFileSettings.read(file);
  }

  static inDataDir(dir: string): JsonFileSettings {
    return new JsonFileSettings(join(dir, SETTINGS_FILE_NAME));
  }

  private static read(file: string): Record<string, unknown> {
    let text: string;
    try {
      text = withoutByteOrderMark(readFileSync(file, 'utf8'));
    } catch {
      return {};
    }
    try {
      const parsed: unknown = JSON.parse(text);
      return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
    } catch {
      throw new Error(`The settings file ${file} is damaged (not valid JSON). Move it aside to start fresh.`);
    }
  }

  get(key: string): unknown {
    return this.data[key];
  }

  set(key: string, value: unknown): void {
    this.data = { ...this.data, [key]: value };
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(this.data, null, 2), { mode: 0o600 });
    renameSync(temp, this.file);
  }
}

/** For tests and one-off runs that must not touch the disk. */
export class MemorySettings implements SettingsStore {
  private readonly data = new Map<string, unknown>();
  get(key: string): unknown {
    return this.data.get(key);
  }
  set(key: string, value: unknown): void {
    this.data.set(key, structuredClone(value));
  }
}
