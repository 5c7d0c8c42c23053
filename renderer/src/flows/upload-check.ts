// The upload-check flow: each file is checked by the engine (nothing is sent yet), the check dialog
// shows what was found, and only the files the user then sends go to the engine's queue. One check at
// a time: files given while one is under way are refused with a word, not queued behind it.
import { useMemo } from 'react';
import { safely } from '../registry';
import { useFlowContext, useWindow, type FlowContext } from '../store/context';
import { uploadFolder, type CheckedFile, type UploadChoice } from '../store/state';
import { isFinished } from '../transfers';

const baseName = (path: string) => path.split(/[\\/]/).filter(Boolean).pop() ?? path;
export const filesWords = (n: number) => (n === 1 ? '1 file' : `${n} files`);

/** Check each file (nothing is sent yet), then show what the checks found. */
export async function startUpload({ registry, dispatch, getState }: FlowContext, paths: string[]): Promise<void> {
  const unique = [...new Set(paths)];
  if (unique.length === 0) return;
  const state = getState();
  if (!state.connection) {
    dispatch({ type: 'status', status: { tone: 'error', text: 'Connect to the registry first, then send the files.' } });
    return;
  }
  if (state.uploadChecks) {
    dispatch({ type: 'status', status: { tone: 'info', text: 'Still checking the files from before. Send these again when that is done.' } });
    return;
  }
  dispatch({ type: 'checks-started' });
  const files: CheckedFile[] = [];
  for (const [index, localPath] of unique.entries()) {
    const name = baseName(localPath);
    dispatch({ type: 'status', status: { tone: 'busy', text: unique.length === 1 ? `Checking ${name}…` : `Checking ${name} (${index + 1} of ${unique.length})…` } });
    const result = await safely(() => registry().checkUpload({ localPath }));
    files.push(
      result.ok ? { localPath, fileName: result.check.fileName, check: result.check, problem: null } : { localPath, fileName: name, check: null, problem: result.message },
    );
  }
  const text = unique.length === 1 ? `Checked ${baseName(unique[0] ?? '')}. Nothing has been sent yet.` : `Checked ${unique.length} files. Nothing has been sent yet.`;
  dispatch({ type: 'checks-done', files, after: { tone: 'info', text } });
}

/** "Upload files…": the system's file picker, then the checks. */
export async function chooseFilesToUpload(ctx: FlowContext): Promise<void> {
  const result = await safely(() => ctx.registry().chooseFilesToUpload({}));
  if (!result.ok) ctx.dispatch({ type: 'status', status: { tone: 'error', text: result.message } });
  else if (result.paths.length > 0) await startUpload(ctx, result.paths);
}

/** Queue the files the user chose in the check dialog, with the warnings they accepted. */
export async function sendChecked({ registry, dispatch, getState }: FlowContext, choices: UploadChoice[]): Promise<void> {
  const state = getState();
  const checked = state.uploadChecks?.phase === 'review' ? state.uploadChecks.files : [];
  const sizes = new Map(checked.map((f) => [f.localPath, f.check?.size ?? 0]));
  const folder = uploadFolder(state)?.name ?? 'the registry';
  dispatch({ type: 'checks-closed' });
  const problems: string[] = [];
  let queued = 0;
  for (const choice of choices) {
    const result = await safely(() => registry().upload(choice));
    if (!result.ok) {
      problems.push(`${baseName(choice.localPath)}: ${result.message}`);
      continue;
    }
    queued += 1;
    dispatch({ type: 'transfer-seen', transfer: result.transfer, fromCall: true, expectedSize: sizes.get(choice.localPath) ?? 0 });
  }
  if (problems.length > 0) dispatch({ type: 'status', status: { tone: 'error', text: problems.join(' ') } });
  else if (queued > 0 && getState().transfers.list.some((t) => !isFinished(t))) {
    dispatch({ type: 'status', status: { tone: 'busy', text: `Sending ${filesWords(queued)} to ${folder}…` } });
  }
}

export function cancelChecked({ dispatch }: FlowContext): void {
  dispatch({ type: 'checks-closed' });
  dispatch({ type: 'status', status: { tone: 'info', text: 'Nothing was sent.' } });
}

/** The checks under way or their findings, and what can be done with files and with the findings. */
export function useUploadCheck() {
  const ctx = useFlowContext();
  const checks = useWindow().uploadChecks;
  const actions = useMemo(
    () => ({
      start: (paths: string[]) => void startUpload(ctx, paths),
      chooseFiles: () => void chooseFilesToUpload(ctx),
      send: (choices: UploadChoice[]) => void sendChecked(ctx, choices),
      cancel: () => cancelChecked(ctx),
    }),
    [ctx],
  );
  return { checked: checks?.phase === 'review' ? checks.files : null, ...actions };
}
