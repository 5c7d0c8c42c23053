// File names that cross between the registry's server and the user's disk.
//
// A name chosen by the server is untrusted: it must not climb out of the download folder, name a
// device, or hide its real extension. Windows rules apply on every platform, because the clinic's PC
// runs Windows even when the app is tested elsewhere, and a file copied there must keep its name.
import { lstat } from 'node:fs/promises';
import { extname, join } from 'node:path';

const FALLBACK_NAME = 'download';
const MAX_LOCAL_NAME_LENGTH = 200;
/** Beyond this, the text after the last dot is not an extension worth keeping. */
const MAX_KEPT_EXTENSION_LENGTH = 20;
const MAX_REMOTE_NAME_BYTES = 255;

/** C0 and C1 control characters and DEL. */
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;
/**
 * Direction overrides and marks: `report\u202Etxt.exe` shows as `reportexe.txt` in Explorer, so a
 * program could pass for a text file.
 */
const BIDI_CONTROLS = /[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const INVALID_ON_WINDOWS = /[<>:"|?*]/g;
const SEPARATORS = /[/\\]/;
/** Windows refuses these as file names, with or without an extension (`con.txt` too). */
const RESERVED_DEVICE_NAME = /^(con|prn|aux|nul|conin\$|conout\$|com[0-9¹²³]|lpt[0-9¹²³])$/i;

function trimEnds(name: string): string {
  // Windows drops trailing dots and spaces, so `name. ` and `name` would be the same file.
  return name.replace(/^[\s]+/u, '').replace(/[.\s]+$/u, '');
}

/** Cuts to at most `max` UTF-16 units without splitting a character made of two. */
function truncate(text: string, max: number): string {
  let result = '';
  for (const character of text) {
    if (result.length + character.length > max) break;
    result += character;
  }
  return result;
}

/** The name a downloaded file gets on the user's disk. Never empty, never a path, never a device. */
export function safeLocalName(remoteName: string): string {
  const components = remoteName.normalize('NFC').split(SEPARATORS).filter((part) => part !== '');
  let name = components[components.length - 1] ?? '';
  name = name.replace(CONTROL_CHARACTERS, '').replace(BIDI_CONTROLS, '').replace(INVALID_ON_WINDOWS, '');
  name = trimEnds(name);

  if (name.length > MAX_LOCAL_NAME_LENGTH) {
    const extension = extname(name);
    const keepExtension = extension.length > 1 && extension.length <= MAX_KEPT_EXTENSION_LENGTH;
    name = keepExtension
      ? trimEnds(truncate(name.slice(0, -extension.length), MAX_LOCAL_NAME_LENGTH - extension.length)) + extension
      : trimEnds(truncate(name, MAX_LOCAL_NAME_LENGTH));
  }

  // Only dots and spaces were left (`.`, `..`, `...`), or nothing at all.
  if (name === '' || /^\.+$/.test(name)) return FALLBACK_NAME;
  const stem = name.split('.')[0]?.trimEnd() ?? '';
  if (RESERVED_DEVICE_NAME.test(stem)) name = `_${name}`;
  return name;
}

/**
 * A path in `dir` for `name` that no existing file has: `name`, else `stem (2).ext`, `stem (3).ext`...
 * Another program can still create the file in between, so the caller writes it with the `wx` flag.
 */
export async function uniqueLocalPath(dir: string, name: string): Promise<string> {
  if (safeLocalName(name) !== name) throw new Error('uniqueLocalPath needs a name made by safeLocalName.');
  const extension = extname(name);
  const stem = name.slice(0, name.length - extension.length);
  for (let n = 1; n <= 10_000; n += 1) {
    const candidate = join(dir, n === 1 ? name : `${stem} (${n})${extension}`);
    if (!(await exists(candidate))) return candidate;
  }
  throw new Error(`The folder ${dir} already holds 10,000 files named like ${name}.`);
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path); // lstat: a dangling link still takes the name
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return false;
    throw error;
  }
}

/** Whether a name is fit to send to the server as one file name (it is never cleaned silently). */
export function isSafeRemoteName(name: string): boolean {
  if (name === '' || name === '.' || name === '..') return false;
  if (SEPARATORS.test(name)) return false;
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) return false;
  if (name.trim() !== name) return false;
  return Buffer.byteLength(name, 'utf8') <= MAX_REMOTE_NAME_BYTES;
}
