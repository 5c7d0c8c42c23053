// "My Computer": a place to start from, a path bar (type a path, press Enter), an Up button, and
// the folder's files. Files can be dragged out of the list onto the registry's upload folder, or
// chosen (several with their tick boxes) and sent with the Upload button: the same from the keyboard.
import { useCallback, useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import type { ListingCounts, LocalEntry, LocalPlace } from '../../../shared/contract';
import { LOCAL_PATH_DRAG_TYPE, LOCAL_PATHS_DRAG_TYPE } from '../drop';
import { useUploadCheck } from '../flows/upload-check';
import { readRemainingPages } from '../listing';
import { registry, safely } from '../registry';
import { useDispatch, useStatus, useWindow } from '../store/context';
import { uploadFolder } from '../store/state';
import { FileTable } from './FileTable';
import { UpIcon, UploadIcon } from './Icons';

interface Listing {
  path: string;
  parent: string | null;
  /** In the engine's listing order; the first page at first, then more as they arrive. */
  entries: LocalEntry[];
  counts: ListingCounts;
}

/** `20,000 items`, and while a big folder is still arriving, how many of them are shown so far. */
export function countWords(count: number, shownSoFar: number | null): string {
  const items = `${count.toLocaleString('en-US')} ${count === 1 ? 'item' : 'items'}`;
  return shownSoFar === null ? items : `${items} · ${shownSoFar.toLocaleString('en-US')} shown so far`;
}

export function LocalPane() {
  const status = useStatus();
  /** The registry folder uploads go to, once connected (e.g. `HL7-Dropoff`); null when not connected. */
  const uploadFolderName = uploadFolder(useWindow())?.name ?? null;
  const { start: onUpload } = useUploadCheck();
  const [places, setPlaces] = useState<LocalPlace[]>([]);
  const [listing, setListing] = useState<Listing | null>(null);
  const [typedPath, setTypedPath] = useState('');
  const [showHidden, setShowHidden] = useState(false);
  const [loading, setLoading] = useState(false);
  /** A big folder's later pages are still arriving (its first rows and count are shown). */
  const [streaming, setStreaming] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [chosen, setChosen] = useState<LocalEntry[]>([]);
  const headingId = useId();
  const placeId = useId();
  const pathId = useId();
  const problemId = useId();

  const latest = useRef(0);
  const typedRef = useRef(typedPath);
  typedRef.current = typedPath;

  const open = useCallback(
    async (path: string) => {
      const mine = ++latest.current;
      const typedBefore = typedRef.current;
      setLoading(true);
      const result = await safely(() => registry().listLocalFolder({ path }));
      // A slow listing (the start folder, a network drive) must not replace one asked for after it.
      if (mine !== latest.current) return false;
      setLoading(false);
      if (!result.ok) {
        setProblem(result.message);
        status.problem(result.message);
        return false;
      }
      setProblem(null);
      const shown = { path: result.path, parent: result.parent, counts: result.counts };
      setListing({ ...shown, entries: result.entries });
      // What the user is typing meanwhile is theirs: only an untouched path bar follows the listing.
      setTypedPath((current) => (current === typedBefore ? result.path : current));
      setStreaming(result.more !== null);
      const stopped = await readRemainingPages(
        result,
        (listing) => registry().listLocalFolderMore({ listing }),
        () => mine === latest.current,
        (entries) => setListing({ ...shown, entries }),
      );
      if (mine !== latest.current) return true;
      setStreaming(false);
      if (stopped) status.problem(`Only part of ${result.path} could be listed. ${stopped.message}`);
      return true;
    },
    [status],
  );

  useEffect(() => {
    void (async () => {
      const result = await safely(() => registry().listLocalPlaces({}));
      if (!result.ok) {
        status.problem(result.message);
        return;
      }
      setPlaces(result.places);
      const start = result.places[0];
      // Only if the user has not already gone (or started typing) somewhere while the places were read.
      if (start && latest.current === 0 && typedRef.current === '') await open(start.path);
    })();
  }, [open, status]);

  // A folder asked for elsewhere in the window (the practice banner's sample files): shown once.
  const wanted = useWindow().localFolderWanted;
  const dispatch = useDispatch();
  useEffect(() => {
    if (wanted === null) return;
    dispatch({ type: 'local-folder-shown' });
    void open(wanted);
  }, [wanted, dispatch, open]);

  const chosenFiles = chosen.filter((e) => e.kind === 'file');
  const visible = useMemo(() => (listing ? listing.entries.filter((e) => showHidden || !e.hidden) : []), [listing, showHidden]);
  const currentPlace = places.find((p) => p.path === listing?.path)?.path ?? '';
  /** The whole folder's count, known from the first page on. */
  const itemCount = listing ? (showHidden ? listing.counts.all : listing.counts.all - listing.counts.hidden) : 0;
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
        rowCount={streaming ? itemCount : undefined}
        resetKey={listing?.path ?? ''}
        busy={loading || streaming || (listing === null && problem === null)}
        empty={
          listing && listing.entries.length > 0
            ? 'This folder has only hidden files. Tick “Show hidden files” to see them.'
            : 'This folder is empty.'
        }
        onOpenFolder={(entry) => void open(entry.path)}
        multiSelect
        onSelectionChange={setChosen}
        onDragFile={(entry, dragged, event) => {
          event.dataTransfer.setData(LOCAL_PATH_DRAG_TYPE, entry.path);
          if (dragged.length > 1) event.dataTransfer.setData(LOCAL_PATHS_DRAG_TYPE, JSON.stringify(dragged.map((e) => e.path)));
          event.dataTransfer.effectAllowed = 'copy';
        }}
      />

      <div className="pane-foot">
        <span className="muted">
          {listing ? countWords(itemCount, streaming ? visible.length : null) : loading ? 'Loading…' : ''}
          {chosen.length > 1 ? ` · ${chosen.length.toLocaleString('en-US')} chosen` : ''}
        </span>
        <div className="pane-foot-actions">
          <label className="checkbox">
            <input type="checkbox" checked={showHidden} onChange={(e) => setShowHidden(e.target.checked)} />
            Show hidden files
          </label>
          {uploadFolderName ? (
            <button
              type="button"
              className="button button-small"
              disabled={chosenFiles.length === 0}
              title={chosenFiles.length === 0 ? 'Choose one or more files first, or drag them to the registry.' : undefined}
              onClick={() => onUpload(chosenFiles.map((e) => e.path))}
            >
              <UploadIcon />
              <span>
                {chosenFiles.length > 1 ? `Upload ${chosenFiles.length.toLocaleString('en-US')} files` : 'Upload'}
                <span className="wide-only"> to {uploadFolderName}</span>
              </span>
            </button>
          ) : null}
        </div>
      </div>
    </section>
  );
}
