// What the checks found, file by file, before anything is sent. Each line has an icon and a word
// (OK, Warning, Error), not a colour alone. An error keeps its file back and says what to do; a
// warning keeps its file back until the user ticks it, one file at a time ("Replace the file that is
// waiting"). A file with nothing to ask about is ready, and "Send" has the focus: one key sends it.
import { useId, useMemo, useRef, useState } from 'react';
import type { UploadCheckLine } from '../../../shared/contract';
import { formatSize } from '../format';
import { acceptWords, remedyWords, verdictOf, type CheckVerdict } from '../transfers';
import { ErrorIcon, FileIcon, OkIcon, UploadIcon, WarningIcon } from './Icons';
import { Modal } from './Modal';
import type { CheckedFile, UploadChoice } from '../store/state';

export type { CheckedFile, UploadChoice } from '../store/state';

interface UploadCheckDialogProps {
  files: CheckedFile[];
  folderName: string;
  importCode: string | null;
  onSend: (choices: UploadChoice[]) => void;
  onCancel: () => void;
}

const LINE_WORD: Record<UploadCheckLine['severity'], string> = { ok: 'OK', warning: 'Warning', error: 'Error' };

function LineIcon({ severity }: { severity: UploadCheckLine['severity'] }) {
  return severity === 'ok' ? <OkIcon /> : severity === 'warning' ? <WarningIcon /> : <ErrorIcon />;
}

const VERDICT: Record<CheckVerdict, { words: string; icon: 'ok' | 'warning' | 'error' }> = {
  ready: { words: 'Ready to send', icon: 'ok' },
  'needs-choice': { words: 'Needs your decision', icon: 'warning' },
  blocked: { words: 'Cannot be sent', icon: 'error' },
};

const plural = (n: number, one: string, many: string) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

export function UploadCheckDialog({ files, folderName, importCode, onSend, onCancel }: UploadCheckDialogProps) {
  const [accepted, setAccepted] = useState<Record<string, ReadonlySet<UploadCheckLine['id']>>>({});
  const sendRef = useRef<HTMLButtonElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const firstChoiceRef = useRef<HTMLInputElement>(null);
  const baseId = useId();

  const verdicts = useMemo(
    () => files.map((f) => (f.check ? verdictOf(f.check, accepted[f.localPath] ?? new Set()) : 'blocked')),
    [files, accepted],
  );
  const ready = files.filter((_, i) => verdicts[i] === 'ready');
  const waiting = verdicts.filter((v) => v === 'needs-choice').length;
  const blocked = verdicts.filter((v) => v === 'blocked').length;
  // Checked at opening: the focus goes where the user's next step is.
  const [initialFocus] = useState(() =>
    files.some((f) => f.check?.canUpload && f.check.warningIds.length > 0) ? firstChoiceRef : files.some((f) => f.check && verdictOf(f.check, new Set()) === 'ready') ? sendRef : cancelRef,
  );
  let choiceRefGiven = false;

  const toggle = (path: string, id: UploadCheckLine['id'], on: boolean) =>
    setAccepted((current) => {
      const next = new Set(current[path] ?? []);
      if (on) next.add(id);
      else next.delete(id);
      return { ...current, [path]: next };
    });

  const send = () => {
    if (ready.length === 0) return;
    onSend(ready.map((f) => ({ localPath: f.localPath, acceptWarnings: [...(accepted[f.localPath] ?? [])].filter((id) => f.check?.warningIds.includes(id)) })));
  };

  const summary = [
    ready.length > 0 ? `${plural(ready.length, 'file is', 'files are')} ready to send to ${folderName}.` : `No file is ready to send yet.`,
    waiting > 0 ? `${plural(waiting, 'file waits', 'files wait')} for your decision.` : '',
    blocked > 0 ? `${plural(blocked, 'file cannot', 'files cannot')} be sent.` : '',
  ]
    .filter(Boolean)
    .join(' ');

  return (
    <Modal
      title={
        <>
          <UploadIcon /> {files.length === 1 ? 'Check the file before sending' : `Check ${files.length} files before sending`}
        </>
      }
      onEscape={onCancel}
      initialFocus={initialFocus}
      wide
      className="upload-check-dialog"
    >
      <p className="modal-intro">
        Nothing has been sent yet. The app looked at each file and at {folderName}; read what it found, then send.
      </p>

      <ul className="check-files">
        {files.map((file, index) => {
          const verdict = verdicts[index] ?? 'blocked';
          const headId = `${baseId}-file-${index}`;
          const check = file.check;
          const remedy = check ? remedyWords(check, importCode) : null;
          return (
            <li key={file.localPath} className={`check-file is-${verdict}`} aria-labelledby={headId} data-testid="check-file">
              <div className="check-file-head">
                <FileIcon />
                <span className="check-file-name" id={headId}>
                  {file.fileName}
                </span>
                {check ? (
                  <span className="muted check-file-facts">
                    {formatSize(check.size)}
                    {check.messageCount > 0 ? ` · ${plural(check.messageCount, 'message', 'messages')}` : ''}
                  </span>
                ) : null}
                <span className={`verdict is-${verdict}`}>
                  {VERDICT[verdict].icon === 'ok' ? <OkIcon /> : VERDICT[verdict].icon === 'warning' ? <WarningIcon /> : <ErrorIcon />}
                  {VERDICT[verdict].words}
                </span>
              </div>

              <ul className="check-lines">
                {file.problem ? (
                  <li className="check-line is-error">
                    <ErrorIcon />
                    <span className="check-word">Error</span>
                    <span className="check-text">{file.problem}</span>
                  </li>
                ) : null}
                {check?.lines.map((line) => {
                  const choiceId = `${headId}-${line.id}`;
                  const isChoice = line.severity === 'warning' && check.canUpload;
                  const giveRef = isChoice && !choiceRefGiven;
                  if (giveRef) choiceRefGiven = true;
                  return (
                    <li key={line.id} className={`check-line is-${line.severity}`}>
                      <LineIcon severity={line.severity} />
                      <span className="check-word">{LINE_WORD[line.severity]}</span>
                      <span className="check-text">
                        <span id={`${choiceId}-text`}>{line.message}</span>
                        {isChoice ? (
                          <label className="checkbox check-accept" htmlFor={choiceId}>
                            <input
                              ref={giveRef ? firstChoiceRef : undefined}
                              id={choiceId}
                              type="checkbox"
                              checked={accepted[file.localPath]?.has(line.id) ?? false}
                              onChange={(event) => toggle(file.localPath, line.id, event.target.checked)}
                              aria-describedby={`${choiceId}-text`}
                            />
                            {acceptWords(line.id)}
                          </label>
                        ) : null}
                      </span>
                    </li>
                  );
                })}
              </ul>
              {remedy ? (
                <p className="check-remedy">
                  <strong>What to do:</strong> {remedy}
                </p>
              ) : null}
            </li>
          );
        })}
      </ul>

      <div className="modal-actions modal-footer">
        <p className="check-summary" role="status">
          {summary}
        </p>
        <span className="actions-spacer" />
        <button ref={cancelRef} type="button" className="button" onClick={onCancel}>
          {ready.length === 0 && waiting === 0 ? 'Close' : 'Cancel'}
        </button>
        {ready.length > 0 || waiting > 0 ? (
          <button ref={sendRef} type="button" className="button button-primary" onClick={send} disabled={ready.length === 0}>
            <UploadIcon />
            {ready.length === 0 ? 'Send' : ready.length === 1 ? 'Send 1 file' : `Send ${ready.length} files`}
          </button>
        ) : null}
      </div>
    </Modal>
  );
}
