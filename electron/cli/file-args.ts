// FILE arguments as a scheduled job gives them. Windows' command prompt and Task Scheduler pass
// `C:\Exports\*.HL7` through unexpanded (a Unix shell expands it before we see it), so a `*` or `?`
// in the file-name part is matched here, in that one folder, in name order.
import { readdir } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';

const WILDCARD = /[*?]/;

export function wildcardPattern(name: string, caseInsensitive: boolean): RegExp {
  const body = name.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, caseInsensitive ? 'i' : '');
}

/**
 * Absolute paths for the FILE arguments, in the order given. A pattern that matches no file stays
 * as it was typed, so the upload checks report it as not found, like a missing file.
 */
export async function expandFileArguments(args: readonly string[], cwd: string, platform: NodeJS.Platform = process.platform): Promise<string[]> {
  const paths: string[] = [];
  for (const arg of args) {
    const absolute = resolve(cwd, arg);
    const name = basename(absolute);
    if (!WILDCARD.test(name) || WILDCARD.test(dirname(absolute))) {
      paths.push(absolute);
      continue;
    }
    const pattern = wildcardPattern(name, platform === 'win32' || platform === 'darwin');
    let matches: string[] = [];
    try {
      const entries = await readdir(dirname(absolute), { withFileTypes: true });
      matches = entries
        .filter((e) => e.isFile() && !e.name.startsWith('.') && pattern.test(e.name))
        .map((e) => e.name)
        .sort((a, b) => a.localeCompare(b, 'en'));
    } catch {
      // An unreadable folder: the pattern stays, and the checks say the file could not be found.
    }
    if (matches.length === 0) paths.push(absolute);
    else paths.push(...matches.map((m) => resolve(dirname(absolute), m)));
  }
  // The same file named twice (a path and a pattern that covers it) is sent once.
  return [...new Set(paths)];
}
