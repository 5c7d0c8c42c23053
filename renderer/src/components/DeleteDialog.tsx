// Deleting from the upload folder is asked first, every time (the registries ask clients to verify
// deletions): the file is named, the consequence said, and "Cancel" has the focus.
import { useId, useRef, useState } from 'react';
import { TrashIcon } from './Icons';
import { Modal } from './Modal';

interface DeleteDialogProps {
  names: string[];
  folderName: string;
  onConfirm: () => Promise<void>;
  onCancel: () => void;
}

export function DeleteDialog({ names, folderName, onConfirm, onCancel }: DeleteDialogProps) {
  const cancelRef = useRef<HTMLButtonElement>(null);
  const [deleting, setDeleting] = useState(false);
  const textId = useId();
  const one = names.length === 1 ? names[0] : undefined;

  const confirm = async () => {
    setDeleting(true);
    await onConfirm();
  };

  return (
    <Modal
      title={
        <>
          <TrashIcon /> {one !== undefined ? `Delete ${one}?` : `Delete ${names.length} files?`}
        </>
      }
      onEscape={() => !deleting && onCancel()}
      initialFocus={cancelRef}
      describedBy={textId}
      className="delete-dialog"
    >
      <div id={textId} className="modal-body">
        {one !== undefined ? (
          <p>
            Delete <strong className="file-name-text">{one}</strong> from {folderName}? The registry will not process it.
          </p>
        ) : (
          <>
            <p>Delete these {names.length} files from {folderName}? The registry will not process them.</p>
            <ul className="delete-list">
              {names.map((name) => (
                <li key={name} className="file-name-text">
                  {name}
                </li>
              ))}
            </ul>
          </>
        )}
        <p className="muted">This cannot be undone: to submit {one !== undefined ? 'it' : 'them'} later, send {one !== undefined ? 'it' : 'them'} again.</p>
      </div>
      <div className="modal-actions">
        <span className="actions-spacer" />
        <button ref={cancelRef} type="button" className="button" onClick={onCancel} disabled={deleting}>
          Cancel
        </button>
        <button type="button" className="button button-danger" onClick={() => void confirm()} disabled={deleting}>
          {deleting ? 'Deleting…' : 'Delete'}
        </button>
      </div>
    </Modal>
  );
}
