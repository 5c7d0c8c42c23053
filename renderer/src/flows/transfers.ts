// Downloads, deletes and the transfer list's buttons. The engine's transfer events keep the list; an
// answer to a call only adds a transfer the window has not heard of yet (the reducer decides).
import type { RemoteEntry, RoleFolder, TransferStatus } from '../../../shared/contract';
import { safely } from '../registry';
import type { FlowContext } from '../store/context';
import { isFinished } from '../transfers';
import { filesWords } from './upload-check';

const problem = (text: string) => ({ type: 'status', status: { tone: 'error', text } }) as const;

export async function download({ registry, dispatch, getState }: FlowContext, folder: RoleFolder, entries: RemoteEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const chosen = await safely(() => registry().chooseDownloadFolder({}));
  if (!chosen.ok) return dispatch(problem(chosen.message));
  if (!chosen.path) return dispatch({ type: 'status', status: { tone: 'info', text: 'No folder was chosen, so nothing was downloaded.' } });
  const toFolder = chosen.path;
  const result = await safely(() => registry().download({ role: folder.role, names: entries.map((e) => e.name), toFolder }));
  if (!result.ok) return dispatch(problem(result.message));
  result.transfers.forEach((transfer, i) => dispatch({ type: 'transfer-seen', transfer, fromCall: true, expectedSize: entries[i]?.size ?? 0 }));
  const list = getState().transfers.list;
  if (result.transfers.some((t) => !isFinished(list.find((x) => x.id === t.id) ?? t))) {
    dispatch({ type: 'status', status: { tone: 'busy', text: `Downloading ${filesWords(entries.length)} from ${folder.name} to ${toFolder}…` } });
  }
}

/** Files chosen in a folder: asked about first (the registries ask clients to "verify deletions"). */
export function askDelete({ dispatch }: FlowContext, folder: RoleFolder, entries: RemoteEntry[]): void {
  if (entries.length > 0) dispatch({ type: 'delete-asked', folder, names: entries.map((e) => e.name) });
}

export async function confirmDelete({ registry, dispatch, getState }: FlowContext): Promise<void> {
  const what = getState().deleting;
  if (!what) return;
  const problems: string[] = [];
  let deleted = 0;
  for (const name of what.names) {
    const result = await safely(() => registry().deleteRemoteFile({ name, confirmed: true }));
    if (result.ok) deleted += 1;
    else problems.push(`${name}: ${result.message}`);
  }
  const text = deleted === 1 ? `Deleted ${what.names[0]} from ${what.folder.name}.` : `Deleted ${deleted} files from ${what.folder.name}.`;
  dispatch({ type: 'deleted', role: what.folder.role, after: problems.length > 0 ? { tone: 'error', text: problems.join(' ') } : { tone: 'ok', text } });
}

export async function cancelTransfer({ registry, dispatch }: FlowContext, transfer: TransferStatus): Promise<void> {
  const result = await safely(() => registry().cancelTransfer({ transferId: transfer.id }));
  if (!result.ok) dispatch(problem(result.message));
}

export async function retryTransfer({ registry, dispatch }: FlowContext, transfer: TransferStatus): Promise<void> {
  const result = await safely(() => registry().retryTransfer({ transferId: transfer.id }));
  if (!result.ok) dispatch(problem(result.message));
  else dispatch({ type: 'transfer-seen', transfer: result.transfer, fromCall: true });
}
