// The calls that move files: checks before sending, the queue (upload, download, cancel, retry), a
// waiting file taken back out of the dropoff folder, and the history of what was done.
import { failure, type CallHandlers } from '../../../shared/contract';
import type { Engine } from '../engine';
import { joinRemote } from '../remote/remote-fs';
import { isSafeRemoteName } from '../transfers/safe-names';
import { checkUpload } from '../transfers/upload';
import { answering } from './call-failure';

type TransferCalls = Pick<CallHandlers, 'checkUpload' | 'upload' | 'cancelTransfer' | 'retryTransfer' | 'download' | 'deleteRemoteFile' | 'listHistory'>;

export function transferHandlers(engine: Engine): TransferCalls {
  const { localGrants, saveFolders, transfers, history } = engine;
  return {
    checkUpload: ({ localPath }) =>
      answering(async () => {
        const refused = localGrants.refusal(localPath, 'file');
        if (refused) throw refused;
        const session = engine.session();
        const batch = engine.precheckBatch(session);
        return { ok: true, check: await session.exclusive((fs) => checkUpload(fs, engine.transferTarget(session), localPath, batch)) };
      }),

    upload: ({ localPath, acceptWarnings }) =>
      answering(async () => {
        const refused = localGrants.refusal(localPath, 'file');
        if (refused) throw refused;
        const session = engine.session();
        engine.forgetPrechecks();
        return { ok: true, transfer: transfers.enqueueUpload(engine.transferTarget(session), localPath, acceptWarnings) };
      }),

    async cancelTransfer({ transferId }) {
      return transfers.cancel(transferId) ? { ok: true } : failure('not-found', 'That transfer has already finished.');
    },

    retryTransfer: ({ transferId }) =>
      answering(async () => {
        const session = engine.session();
        engine.forgetPrechecks();
        const transfer = transfers.retry(transferId, engine.transferTarget(session));
        if (transfer === 'other-account') {
          return failure('invalid-input', 'That transfer was made with another registry account. Connect with that account to try it again.');
        }
        return transfer ? { ok: true, transfer } : failure('not-found', 'Only a failed or cancelled transfer can be tried again.');
      }),

    download: ({ role, names, toFolder }) =>
      answering(async () => {
        const refused = saveFolders.refusal(toFolder, 'save-folder');
        if (refused) throw refused;
        const session = engine.session();
        const folder = session.info.folders.find((f) => f.role === role);
        if (!folder) return failure('not-found', `${session.info.profileName} has no such folder.`);
        if (!folder.rights.includes('read')) return failure('permission-denied', `The registry does not let this account read files in ${folder.name}.`);
        // Only names of files in the folder itself: a path could reach another folder on the server.
        const notAName = names.find((name) => name === '.' || name === '..' || name.includes('/') || name.includes('\0'));
        if (notAName !== undefined) return failure('invalid-input', `${JSON.stringify(notAName)} is not the name of a file in ${folder.name}. Nothing was downloaded.`);
        return { ok: true, transfers: names.map((name) => transfers.enqueueDownload(engine.transferTarget(session), folder, name, toFolder)) };
      }),

    deleteRemoteFile: ({ name }) =>
      answering(async () => {
        const session = engine.session();
        const dropoff = session.info.folders.find((f) => f.role === 'dropoff');
        if (!dropoff || !dropoff.rights.includes('delete')) {
          return failure('permission-denied', 'The registry only lets this account delete files it has sent and that are still waiting in the dropoff folder.');
        }
        if (!isSafeRemoteName(name)) return failure('invalid-input', 'That is not a file name in the dropoff folder.');
        engine.forgetPrechecks();
        // Beside the transfers, as one of them: never run twice (a second delete could find another file).
        await session.withTransferLease((fs) => fs.remove(joinRemote(dropoff.path, name))).finally(() => session.idle());
        await history
          ?.append({
            time: new Date().toISOString(),
            profileId: session.info.profileId,
            account: session.info.username,
            direction: 'delete',
            localName: '',
            remoteName: name,
            folder: 'dropoff',
            size: 0,
            sha256: null,
            result: 'done',
          })
          .catch(() => undefined);
        return { ok: true };
      }),

    async listHistory({ limit }) {
      if (!history) return { ok: true, entries: [] };
      try {
        // A transfer shown as ended has its line in the history: the lines still being written are waited for.
        await transfers.historyWritten();
        return { ok: true, entries: await history.list({ limit }) };
      } catch {
        return failure('internal', 'The transfer history could not be read.');
      }
    },
  };
}
