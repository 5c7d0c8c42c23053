// The local paths the window may name. The page is treated as untrusted: a path it sends is used
// only if the main process granted it, because the user picked it in a system dialog, dropped it on
// the window, or reached it by browsing from one of the places the My Computer pane starts from (a
// granted folder covers everything below it). A Windows share (\\server\share) is never touched
// unless the user picked or dropped something there: only opening it would send the user's Windows
// sign-in to that server. Saving is a capability of its own: a download goes only to a folder the
// user picked in the save dialog (a second LocalPathGrants holds those), never to one that is merely
// reachable from the starting places, such as a startup or autostart folder.
import { realpathSync } from 'node:fs';
import { posix, win32 } from 'node:path';
import { RemoteError } from '../remote/remote-fs';

type Kind = 'file' | 'folder';
/** What a refusal is about: a file to send, a folder to open, or a folder to save downloads in. */
type Use = Kind | 'save-folder';

/** \\server\share\..., //server/share/..., and the \\?\ and \\.\ device forms. */
export const isUncPath = (path: string) => /^[\\/]{2}/.test(path);

export class LocalPathGrants {
  private readonly granted = new Map<string, Kind>();
  private readonly path: typeof posix;

  constructor(private readonly platform: NodeJS.Platform = process.platform) {
    this.path = platform === 'win32' ? win32 : posix;
  }

  /**
   * A share is a Windows thing: judged by its name and never opened to resolve links. Elsewhere
   * `//x` is the same as `/x`, so its links are resolved like any other path's.
   */
  private isShare(path: string): boolean {
    return this.platform === 'win32' && isUncPath(path);
  }

  /** The form paths are compared in: absolute, `..` resolved, and on Windows without case. */
  private key(path: string): string {
    const resolved = this.path.resolve(path);
    return this.platform === 'win32' ? resolved.toLowerCase() : resolved;
  }

  /** The path with links resolved where it exists, so a link cannot lead out of a granted folder. */
  private real(path: string): string {
    if (this.platform !== process.platform) return path;
    try {
      return realpathSync.native(path);
    } catch {
      return path;
    }
  }

  grant(path: string, kind: Kind): void {
    if (!this.path.isAbsolute(path)) return;
    this.granted.set(this.key(path), kind);
    // Where a granted folder is itself a link, both its names are granted.
    if (!this.isShare(path)) this.granted.set(this.key(this.real(path)), kind);
  }

  private covers(key: string): boolean {
    const sep = this.path.sep;
    for (const [root, kind] of this.granted) {
      if (key === root) return true;
      if (kind === 'folder' && key.startsWith(root.endsWith(sep) ? root : `${root}${sep}`)) return true;
    }
    return false;
  }

  /** Whether the window may use `path`. A share is judged by its name alone, before any access. */
  allows(path: string): boolean {
    if (!this.path.isAbsolute(path)) return false;
    if (!this.covers(this.key(path))) return false;
    if (this.isShare(path)) return true;
    return this.covers(this.key(this.real(path)));
  }

  /** The user's words when the window names a path it was not given; null when it may use it. */
  refusal(path: string, what: Use): RemoteError | null {
    if (this.allows(path)) return null;
    const words: Record<Use, string> = {
      file: 'The app did not open that file: it was not chosen in this window. Choose it with "Upload files…", drag it in, or find it in the My Computer pane.',
      folder: 'The app did not open that folder: it was not chosen in this window. Choose it with the folder picker, or find it in the My Computer pane.',
      'save-folder': 'The app did not save anything in that folder: it was not chosen in this window as the place for downloads. Nothing was downloaded; download again and choose the folder when asked.',
    };
    return new RemoteError(
      'permission-denied',
      words[what],
      `Refused a local path the window was not given (${isUncPath(path) ? 'a network share' : 'outside the granted folders'}).`,
    );
  }

  check(path: string, what: Use): void {
    const refused = this.refusal(path, what);
    if (refused) throw refused;
  }
}
