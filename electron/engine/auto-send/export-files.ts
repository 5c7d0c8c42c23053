// Which files of an export folder are exports to send (issue 17), for the command line's send-new and
// the window's folder watcher alike, and their SHA-256 (what the send ledger knows them by).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** Files an export may still be writing, or that are not meant to be sent, when no pattern is given. */
const NOT_EXPORTS = /^(\.|~\$)|\.(tmp|part|partial|crdownload|lock)$/i;

/** A file name pattern: `*` any run of characters, `?` one, `[abc]` one of; case-insensitive, as on Windows. */
export function patternMatcher(glob: string): (name: string) => boolean {
  let source = '';
  for (let i = 0; i < glob.length; i += 1) {
    const c = glob[i] as string;
    if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end === -1) source += '\\[';
      else {
        const inside = glob.slice(i + 1, end).replace(/\\/g, '\\\\');
        source += `[${inside.startsWith('!') ? `^${inside.slice(1)}` : inside}]`;
        i = end;
      }
    } else source += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  const pattern = new RegExp(`^${source}$`, 'i');
  return (name) => pattern.test(name);
}

/** The files to send: those matching `pattern`, or without one every file but temporary ones. */
export function exportFileFilter(pattern: string | undefined | null): (name: string) => boolean {
  return pattern ? patternMatcher(pattern) : (name) => !NOT_EXPORTS.test(name);
}

export async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
