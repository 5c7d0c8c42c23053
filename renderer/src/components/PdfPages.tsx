// A PDF report drawn by pdf.js (Mozilla's PDF renderer), page by page onto canvases. pdf.js is loaded
// only when a PDF is opened (its own bundle), parses in its worker (a file beside the page, allowed by
// the page's script policy, which allows no eval: pdf.js 5 and later draw fonts without it). The
// bytes stay in memory while the viewer is open.
import { useEffect, useRef, useState } from 'react';

type PdfState = { phase: 'loading' } | { phase: 'drawn'; pages: number } | { phase: 'failed'; message: string };

function bytesOf(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function PdfPages({ base64, name }: { base64: string; name: string }) {
  const holder = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<PdfState>({ phase: 'loading' });

  useEffect(() => {
    let cancelled = false;
    let destroy: (() => Promise<void>) | null = null;
    (async () => {
      const pdfjs = await import('pdfjs-dist');
      const { default: workerUrl } = await import('pdfjs-dist/build/pdf.worker.min.mjs?url');
      pdfjs.GlobalWorkerOptions.workerSrc = workerUrl;
      const task = pdfjs.getDocument({ data: bytesOf(base64), useSystemFonts: true });
      destroy = () => task.destroy();
      const pdf = await task.promise;
      const target = holder.current;
      if (cancelled || !target) return;
      target.replaceChildren();
      for (let number = 1; number <= pdf.numPages; number += 1) {
        const page = await pdf.getPage(number);
        if (cancelled) return;
        const viewport = page.getViewport({ scale: 1.4 });
        const canvas = document.createElement('canvas');
        canvas.width = Math.floor(viewport.width);
        canvas.height = Math.floor(viewport.height);
        canvas.className = 'pdf-page';
        canvas.setAttribute('role', 'img');
        canvas.setAttribute('aria-label', `Page ${number} of ${pdf.numPages} of ${name}`);
        target.appendChild(canvas);
        await page.render({ canvas, viewport }).promise;
      }
      if (!cancelled) setState({ phase: 'drawn', pages: pdf.numPages });
    })().catch((error: unknown) => {
      if (cancelled) return;
      const damaged = error instanceof Error && /invalid|corrupt|password/i.test(`${error.name} ${error.message}`);
      setState({
        phase: 'failed',
        message: damaged
          ? 'This PDF could not be drawn: it is damaged or protected. Save a copy and open it in a PDF reader.'
          : 'This PDF could not be drawn here. Save a copy and open it in a PDF reader.',
      });
    });
    return () => {
      cancelled = true;
      void destroy?.();
    };
  }, [base64, name]);

  return (
    <div className="pdf-view">
      <p className="muted pdf-status" aria-live="polite">
        {state.phase === 'loading' ? 'Drawing the PDF…' : state.phase === 'drawn' ? (state.pages === 1 ? '1 page' : `${state.pages} pages`) : null}
      </p>
      {state.phase === 'failed' ? <p className="field-error">{state.message}</p> : null}
      <div ref={holder} className="pdf-pages" />
    </div>
  );
}
