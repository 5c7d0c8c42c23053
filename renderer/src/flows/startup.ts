// What the window does once it opens: read the registries and the app's version, and keep a file
// dropped where nothing takes it from being opened by the page itself.
import { useEffect } from 'react';
import { useFlowContext } from '../store/context';
import { loadStart } from './connection';

export function useWindowStartup(): void {
  const ctx = useFlowContext();
  useEffect(() => {
    void loadStart(ctx);
  }, [ctx]);

  // The drop zones (My Computer, the registry's folders) accept theirs first and mark the event as
  // handled; anywhere else (the status line, the toolbar) a dropped file is refused.
  useEffect(() => {
    const refuseStray = (event: DragEvent) => {
      if (event.defaultPrevented || !event.dataTransfer || ![...event.dataTransfer.types].includes('Files')) return;
      event.preventDefault();
      if (event.type === 'dragover') event.dataTransfer.dropEffect = 'none';
    };
    window.addEventListener('dragover', refuseStray);
    window.addEventListener('drop', refuseStray);
    return () => {
      window.removeEventListener('dragover', refuseStray);
      window.removeEventListener('drop', refuseStray);
    };
  }, []);
}
