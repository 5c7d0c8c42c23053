// "My Computer": a place to start from, a path bar (type a path, press Enter), an Up button, and
// the folder's files. Files can be dragged out of the list (towards the registry pane).
import { useCallback, useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import type { LocalEntry, LocalPlace } from '../../../shared/contract';
import { registry, safely } from '../registry';
import { FileTable } from './FileTable';
import { UpIcon } from './Icons';

/** The drag data type a later drop target (uploads to the registry) reads. */
export const LOCAL_PATH_DRAG_TYPE = 'application/x-registry-local-path';

interface LocalPaneProps {
  /** Problems the status line should show. */
  onProblem: (message: string) => void;
}

interface Listing {
  path: string;
  parent: string | null;
  entries: LocalEntry[];
}

export function LocalPane({ onProblem }: LocalPaneProps) {
  const [places, setPlaces] = useState<LocalPlace[]>([]);
  const [listing, setListing] = useState<Listing | null>(null);
  const [typedPath, setTypedPath] = useState('');
  const [showHidden, setShowHidden] = useState(false);
  const [loading, setLoading] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const headingId = useId();
  const placeId = useId();
  const pathId = useId();
  const problemId = useId();

  const open = useCallback(
    async (path: string) => {
      setLoading(true);
      const result = await safely(() => registry().listLocalFolder({ path }));
      setLoading(false);
      if (!result.ok) {
        setProblem(result.message);
        onProblem(result.message);
        return false;
      }
      setProblem(null);
      setListing({ path: result.path, parent: result.parent, entries: result.entries });
      setTypedPath(result.path);
      return true;
    },
    [onProblem],
  );

  useEffect(() => {
    void (async () => {
      const result = await safely(() => registry().listLocalPlaces({}));
      if (!result.ok) {
        onProblem(result.message);
        return;
      }
      setPlaces(result.places);
      const start = result.places[0];
      if (start) await open(start.path);
    })();
  }, [open, onProblem]);

  const visible = useMemo(() => (listing ? listing.entries.filter((e) => showHidden || !e.hidden) : []), [listing, showHidden]);
  const currentPlace = places.find((p) => p.path === listing?.path)?.path ?? '';
  const folderName = listing ? (listing.path.split(/[\\/]/).filter(Boolean).pop() ?? listing.path) : '';

  const submitPath = (event: FormEvent) => {
    event.preventDefault();
    const path = typedPath.trim();
    if (path) void open(path);
  };

  return (
    <section className="pane" aria-labelledby={headingId}>
      <div className="pane-head">
        <h2 id={headingId} className="pane-title">
          My Computer
        </h2>
        <div className="field-inline">
          <label htmlFor={placeId} className="label-quiet">
            Place
          </label>
          <select id={placeId} value={currentPlace} onChange={(e) => e.target.value && void open(e.target.value)}>
            {currentPlace === '' ? <option value="">Other folder</option> : null}
            {places.map((place) => (
              <option key={place.path} value={place.path}>
                {place.label}
              </option>
            ))}
          </select>
        </div>
      </div>

      <form className="path-bar" onSubmit={submitPath}>
        <button
          type="button"
          className="button icon-button"
          onClick={() => listing?.parent && void open(listing.parent)}
          disabled={!listing?.parent}
          aria-label="Up one folder"
          title="Up one folder"
        >
          <UpIcon />
        </button>
        <label htmlFor={pathId} className="visually-hidden">
          Folder path
        </label>
        <input
          id={pathId}
          className="path-input"
          type="text"
          spellCheck={false}
          autoComplete="off"
          value={typedPath}
          onChange={(e) => setTypedPath(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape' && listing) setTypedPath(listing.path);
          }}
          aria-invalid={problem !== null}
          aria-describedby={problem ? problemId : undefined}
        />
        <button type="submit" className="button">
          Go
        </button>
      </form>
      {problem ? (
        <p id={problemId} className="field-error pane-problem">
          {problem}
        </p>
      ) : null}

      <FileTable
        label={listing ? `Files in ${folderName}` : 'Files'}
        entries={visible}
        resetKey={listing?.path ?? ''}
        busy={loading || (listing === null && problem === null)}
        empty={
          listing && listing.entries.length > 0
            ? 'This folder has only hidden files. Tick “Show hidden files” to see them.'
            : 'This folder is empty.'
        }
        onOpenFolder={(entry) => void open(entry.path)}
        onDragFile={(entry, event) => {
          event.dataTransfer.setData(LOCAL_PATH_DRAG_TYPE, entry.path);
          event.dataTransfer.effectAllowed = 'copy';
        }}
      />

      <div className="pane-foot">
        <span className="muted">
          {listing ? `${visible.length} ${visible.length === 1 ? 'item' : 'items'}` : loading ? 'Loading…' : ''}
        </span>
        <label className="checkbox">
          <input type="checkbox" checked={showHidden} onChange={(e) => setShowHidden(e.target.checked)} />
          Show hidden files
        </label>
      </div>
    </section>
  );
}
