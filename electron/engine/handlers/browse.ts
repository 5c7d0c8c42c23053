// The calls that look at folders: the registry's, and this computer's (only where the user pointed).
import { failure, type CallHandlers, type FolderRole } from '../../../shared/contract';
import type { Engine } from '../engine';
import { listLocalFolder } from '../local/local-fs';
import { answering } from './call-failure';

type BrowseCalls = Pick<CallHandlers, 'listRemoteFolder' | 'listLocalPlaces' | 'listLocalFolder' | 'chooseFilesToUpload' | 'chooseDownloadFolder'>;

export function browseHandlers(engine: Engine): BrowseCalls {
  const { ports, localGrants, saveFolders } = engine;
  return {
    listRemoteFolder: ({ role }) =>
      answering(async () => {
        const session = engine.session();
        const folder = session.info.folders.find((f) => f.role === (role as FolderRole));
        if (!folder) return failure('not-found', `${session.info.profileName} has no such folder.`);
        engine.forgetPrechecks();
        const entries = await session.exclusive((fs) => fs.list(folder.path));
        return { ok: true, role: folder.role, path: folder.path, entries: entries.filter((e) => e.name !== '.' && e.name !== '..') };
      }),

    async listLocalPlaces() {
      return { ok: true, places: engine.startingPlaces() };
    },

    listLocalFolder: ({ path }) =>
      answering(async () => {
        localGrants.check(path, 'folder');
        return { ok: true, ...(await listLocalFolder(path)) };
      }),

    async chooseFilesToUpload() {
      if (!ports.chooseFiles) return failure('internal', 'This window cannot open the file picker; drag files in instead.');
      const paths = await ports.chooseFiles();
      for (const path of paths) localGrants.grant(path, 'file');
      return { ok: true, paths };
    },

    async chooseDownloadFolder() {
      if (!ports.chooseFolder) return failure('internal', 'This window cannot open the folder picker.');
      const path = await ports.chooseFolder();
      if (path !== null) {
        localGrants.grant(path, 'folder');
        saveFolders.grant(path, 'folder');
      }
      return { ok: true, path };
    },
  };
}
