// Where the keyboard goes when the control that had it is gone: a dialog answered by the sign-in it
// belonged to (the Connect button replaced by the registry's folders), or Disconnect (the folders
// replaced by the sign-in form). Without this, focus falls to the page's body and a keyboard or
// screen-reader user has to find their place again from the top.
import { useEffect } from 'react';

const lost = () => document.activeElement === null || document.activeElement === document.body;

/** Once mounted, and again after the dialogs of this turn have closed: focus `target` if focus was lost. */
export function useFocusWhenLost(target: () => HTMLElement | null | undefined): void {
  useEffect(() => {
    if (lost()) target()?.focus();
    // A dialog closing in the same update gives focus back (or fails to) after this effect.
    const timer = window.setTimeout(() => {
      if (lost()) target()?.focus();
    }, 50);
    return () => window.clearTimeout(timer);
    // Only on mount: later, focus is the user's.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
}

