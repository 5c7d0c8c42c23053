// The calls that look at folders: the registry's, and this computer's (only where the user pointed).
import { failure, type CallHandlers, type FolderRole, type LocalEntry, type RemoteEntry } from '../../../shared/contract';
import type { Engine } from '../engine';
import { listingOf, ListingPages, listRegistryFolder, LOCAL_FIRST_PAGE_SIZE } from '../listing/listing-pages';
import { openLocalFolder } from '../local/local-fs';
import { answering } from './call-failure';

type BrowseCalls = Pick<
  CallHandlers,
  'listRemoteFolder' | 'listRemoteFolderMore' | 'listLocalPlaces' | 'listLocalFolder' | 'listLocalFolderMore' | 'chooseFilesToUpload' | 'chooseDownloadFolder'
>;

export function browseHandlers(engine: Engine): BrowseCalls {
  const { ports, localGrants, saveFolders } = engine;
  // Big folders go to the window a page at a time (issue 18). A registry folder's pages belong to
  // the session that listed it: signed out (or signed in again), they are gone.
  const remotePages = new ListingPages<RemoteEntry>();
  const localPages = new ListingPages<LocalEntry>();
  return {
    listRemoteFolder: ({ role }) =>
      answering(async () => {
        const session = engine.session();
        const folder = session.info.folders.find((f) => f.role === (role as FolderRole));
        if (!folder) return failure('not-found', `${session.info.profileName} has no such folder.`);
        engine.forgetPrechecks();
        const entries = await listRegistryFolder(session, folder.path);
        const counts = { all: entries.length, files: entries.filter((e) => e.kind === 'file').length, hidden: entries.filter((e) => e.name.startsWith('.')).length };
        const page = await remotePages.start(listingOf(entries), session);
        return { ok: true, role: folder.role, path: folder.path, counts, ...page };
      }),

    listRemoteFolderMore: ({ listing }) =>
      answering(async () => {
        const page = await remotePages.next(listing, engine.session());
        return { ok: true, ...page };
      }),

    async listLocalPlaces() {
      return { ok: true, places: engine.startingPlaces() };
    },

    listLocalFolder: ({ path }) =>
      answering(async () => {
        localGrants.check(path, 'folder');
        const folder = await openLocalFolder(path);
        const page = await localPages.start(folder.source, null, LOCAL_FIRST_PAGE_SIZE);
        return { ok: true, path: folder.path, parent: folder.parent, counts: folder.counts, ...page };
      }),

    listLocalFolderMore: ({ listing }) =>
      answering(async () => {
        const page = await localPages.next(listing);
        return { ok: true, ...page };
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
