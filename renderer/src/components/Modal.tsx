// A modal dialog on the native <dialog> element: the page behind it is inert, Tab stays inside,
// Escape means the dialog's safe answer, and focus goes back where it was when the dialog closes.
import { useEffect, useId, useRef, type ReactNode, type Ref, type RefObject } from 'react';

interface ModalProps {
  title: ReactNode;
  /** What Escape does: the safe answer, or simply closing. */
  onEscape: () => void;
  /** The control that gets focus first: the safest one. */
  initialFocus?: RefObject<HTMLElement | null>;
  tone?: 'normal' | 'warning';
  wide?: boolean;
  className?: string;
  describedBy?: string;
  children: ReactNode;
}

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function Modal({ title, onEscape, initialFocus, tone = 'normal', wide = false, className, describedBy, children }: ModalProps) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const onEscapeRef = useRef(onEscape);
  onEscapeRef.current = onEscape;
  const unmountingRef = useRef(false);

  useEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    const returnTo = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    const first = initialFocus?.current ?? dialog.querySelector<HTMLElement>(FOCUSABLE);
    first?.focus();
    unmountingRef.current = false;
    return () => {
      unmountingRef.current = true;
      if (dialog.open) dialog.close();
      // The element that opened the dialog may be gone (e.g. the connect form after connecting).
      if (returnTo && returnTo.isConnected) returnTo.focus();
    };
    // Opening is a one-time effect of mounting; a new request remounts the dialog with a new key.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const onKeyDown = (event: React.KeyboardEvent<HTMLDialogElement>) => {
    if (event.key !== 'Tab') return;
    const dialog = dialogRef.current;
    if (!dialog) return;
    const focusable = [...dialog.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.offsetParent !== null);
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (!first || !last) return;
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  };

  return (
    <dialog
      ref={dialogRef}
      className={['modal', tone === 'warning' ? 'modal-warning' : '', wide ? 'modal-wide' : '', className ?? ''].filter(Boolean).join(' ')}
      aria-labelledby={titleId}
      aria-describedby={describedBy}
      aria-modal="true"
      onCancel={(event) => {
        // The owner decides what Escape means (and removes the dialog), not the browser. When Chromium
        // will not let the close be cancelled (no user gesture since it opened), `close` follows and
        // is handled there instead, so the owner hears about it exactly once.
        if (!event.cancelable) return;
        event.preventDefault();
        onEscapeRef.current();
      }}
      onClose={(event) => {
        // `close` is queued: after a close-and-reopen (React's StrictMode re-runs effects) it finds
        // the dialog open again and means nothing.
        const dialog = event.currentTarget;
        if (unmountingRef.current || dialog.open) return;
        onEscapeRef.current();
        // An owner for whom Escape only stepped back inside the dialog keeps it: show it again.
        window.setTimeout(() => {
          if (!unmountingRef.current && dialog.isConnected && !dialog.open) dialog.showModal();
        }, 0);
      }}
      onKeyDown={onKeyDown}
    >
      <h2 id={titleId} className="modal-title">
        {title}
      </h2>
      {children}
    </dialog>
  );
}

/** The footer of a dialog whose only action is Close (the button the dialog focuses first). */
export function CloseFooter({ closeRef, onClose, primary = false, divided = true }: { closeRef: Ref<HTMLButtonElement>; onClose: () => void; primary?: boolean; divided?: boolean }) {
  return (
    <div className={divided ? 'modal-actions modal-footer' : 'modal-actions'}>
      <span className="actions-spacer" />
      <button ref={closeRef} type="button" className={primary ? 'button button-primary' : 'button'} onClick={onClose}>
        Close
      </button>
    </div>
  );
}
