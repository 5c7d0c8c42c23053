// The window: a slim toolbar, "My Computer" on the left, the registry on the right, the transfers and
// a status line at the bottom, and the prompts the engine sends (one at a time). Layout only: what the
// window knows is in the store (store/), what it does is in the flows (flows/), and each pane reads
// the store itself.
import { ChangePasswordDialog } from './components/ChangePasswordDialog';
import { ConnectForm } from './components/ConnectForm';
import { DeleteDialog } from './components/DeleteDialog';
import { HistoryDialog } from './components/HistoryDialog';
import { IdentityDialog } from './components/IdentityDialog';
import { ClockIcon, ExternalIcon, ShieldIcon } from './components/Icons';
import { LocalPane } from './components/LocalPane';
import { MissedFailuresBanner } from './components/MissedFailuresBanner';
import { PracticeBanner } from './components/PracticeBanner';
import { RemoteBrowser } from './components/RemoteBrowser';
import { ReportViewer } from './components/ReportViewer';
import { SubmissionsDialog } from './components/SubmissionsDialog';
import { StatusBar } from './components/StatusBar';
import { TransferPanel } from './components/TransferPanel';
import { TrustedServersDialog } from './components/TrustedServersDialog';
import { UploadCheckDialog } from './components/UploadCheckDialog';
import { answerIdentity, openWebClient } from './flows/connection';
import { usePasswordChange } from './flows/password-change';
import { useWindowStartup } from './flows/startup';
import { cancelTransfer, confirmDelete, retryTransfer } from './flows/transfers';
import { useUploadCheck } from './flows/upload-check';
import { useDispatch, useFlow, useWindow } from './store/context';
import { activeProfile, connectionKey, currentBatch, folderName, profileById, uploadFolder } from './store/state';

export function App() {
  useWindowStartup();
  const state = useWindow();
  const dispatch = useDispatch();
  const passwordChange = usePasswordChange();
  const uploads = useUploadCheck();
  const openWebPage = useFlow(openWebClient);
  const answer = useFlow(answerIdentity);
  const cancel = useFlow(cancelTransfer);
  const retry = useFlow(retryTransfer);
  const deleteChosen = useFlow(confirmDelete);

  const { connection, transfers, deleting } = state;
  const profile = activeProfile(state);
  const registryName = connection?.profileName ?? profile?.name ?? 'Registry';
  const uploadFolderName = uploadFolder(state)?.name ?? 'the registry';
  const currentRequest = state.identityRequests[0];
  const change = passwordChange.change;

  return (
    <div className="app app-with-banner">
      <header className="toolbar">
        <div className="toolbar-title">
          <span className="app-mark" aria-hidden="true" />
          <span className="app-name">Registry Transfer</span>
          {profile ? (
            <>
              <span className="toolbar-sep" aria-hidden="true" />
              <span className="toolbar-registry" aria-label={`Registry: ${registryName}`}>
                {registryName}
              </span>
            </>
          ) : null}
        </div>
        <div className="toolbar-actions">
          {profile?.webClientUrl ? (
            <button type="button" className="button button-toolbar" onClick={() => void openWebPage()} title={profile.webClientUrl}>
              <ExternalIcon />
              Web client
            </button>
          ) : null}
          <button type="button" className="button button-toolbar" onClick={() => dispatch({ type: 'dialog-opened', dialog: 'history' })}>
            <ClockIcon />
            History
          </button>
          <button type="button" className="button button-toolbar" onClick={() => dispatch({ type: 'dialog-opened', dialog: 'trusted-servers' })}>
            <ShieldIcon />
            Trusted servers
          </button>
        </div>
      </header>

      {/* One row for the banners (none, one or both), between the toolbar and the panes. */}
      <div className="banners">
        <MissedFailuresBanner />
        {profile?.practice ? <PracticeBanner profile={profile} samplesFolder={profile.practice.samplesFolder} /> : null}
      </div>

      <main className="panes">
        <LocalPane />
        <section className="pane pane-registry" aria-label={registryName}>
          {connection ? (
            <RemoteBrowser key={connectionKey(connection)} connection={connection} />
          ) : (
            <div className="pane-center">
              <ConnectForm />
            </div>
          )}
        </section>
      </main>

      {transfers.list.length > 0 ? (
        <TransferPanel
          transfers={transfers.list}
          batch={currentBatch(transfers)}
          expected={transfers.expected}
          folderName={(role) => folderName(state, role)}
          onCancel={(t) => void cancel(t)}
          onRetry={(t) => void retry(t)}
          onClearFinished={() => dispatch({ type: 'finished-cleared' })}
        />
      ) : null}

      <StatusBar status={state.status} version={state.version} />

      {currentRequest ? (
        <IdentityDialog
          key={currentRequest.id}
          request={currentRequest}
          support={profileById(state, currentRequest.profileId)?.support ?? null}
          onAnswer={(value) => void answer(currentRequest, value)}
        />
      ) : null}
      {uploads.checked ? (
        <UploadCheckDialog
          files={uploads.checked}
          folderName={uploadFolderName}
          importCode={connection?.username ?? null}
          onSend={uploads.send}
          onCancel={uploads.cancel}
        />
      ) : null}
      {deleting ? (
        <DeleteDialog names={deleting.names} folderName={deleting.folder.name} onConfirm={deleteChosen} onCancel={() => dispatch({ type: 'delete-closed' })} />
      ) : null}
      {change && passwordChange.profile ? (
        <ChangePasswordDialog
          key={`${change.reason}|${change.profileId}|${change.username}`}
          profile={passwordChange.profile}
          username={change.username}
          reason={change.reason}
          way={change.way}
          notAsked={change.notAsked === true}
          refused={change.request?.problem !== undefined ? { id: change.request.id, message: change.request.problem } : undefined}
          onSubmit={passwordChange.submit}
          onOpenPage={passwordChange.openPage}
          onStoreChosen={passwordChange.storeChosen}
          {...(change.reason === 'first-login' ? { onMarkChanged: passwordChange.markChanged } : {})}
          onClose={passwordChange.close}
        />
      ) : null}
      {state.openDialog === 'trusted-servers' ? <TrustedServersDialog onClose={() => dispatch({ type: 'dialog-closed' })} /> : null}
      {state.openDialog === 'submissions' && connection ? <SubmissionsDialog onClose={() => dispatch({ type: 'dialog-closed' })} /> : null}
      <ReportViewer />
      {state.openDialog === 'history' ? <HistoryDialog profiles={state.profiles} onClose={() => dispatch({ type: 'dialog-closed' })} /> : null}
    </div>
  );
}
