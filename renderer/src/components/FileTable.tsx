// The file list both panes use: a table whose rows are one keyboard stop (arrow keys move, Enter
// opens a folder), with sortable columns and folders first. Where several files can be chosen at
// once (to download or upload them), each file has a tick box, as Explorer's "item check boxes":
// a click on a row chooses that row alone, a tick (or Space, Ctrl+Space, Ctrl+click, Shift+click,
// Shift+arrows, Ctrl+A) adds to the choice; Ctrl+Space and Ctrl+click also take a row away. Typing a
// name's first letters goes to it (../type-ahead.ts).
//
// A folder can hold 20,000 files (issue 18): above 500 rows only the rows in view (and a few either
// side) are in the page, drawn by @tanstack/react-virtual, with spacer rows standing in for the rest
// (a table keeps its columns that way). The row the keyboard is on is always drawn, even scrolled
// away, so focus never falls out of the table; screen readers hear the whole count and each row's
// place from aria-rowcount and aria-rowindex. The choice is kept by name, so it holds rows not drawn.
import { defaultRangeExtractor, useVirtualizer, type Range } from '@tanstack/react-virtual';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type DragEvent, type KeyboardEvent, type MouseEvent, type ReactNode } from 'react';
import { formatDateTime, formatSize, nextSortOrder, sortEntries, type ListedEntry, type SortKey, type SortOrder } from '../format';
import { TYPE_AHEAD_PAUSE_MS, typedRow } from '../type-ahead';
import { FileIcon, FolderIcon } from './Icons';

interface FileTableProps<E extends ListedEntry> {
  /** The table's accessible name, e.g. "Files in Documents". */
  label: string;
  /** In the engine's listing order (shared/listing-order.ts): an entry's place is its rank by name. */
  entries: readonly E[];
  /** How many rows the folder holds, while its listing is still arriving (the screen reader's count). */
  rowCount?: number;
  /** Shown instead of rows when the folder is empty. */
  empty: ReactNode;
  /** Double-click or Enter on a folder. */
  onOpenFolder?: (entry: E) => void;
  /** Double-click or Enter on a file (the registry's reports open in the viewer). */
  onOpenFile?: (entry: E) => void;
  /** Files that can be dragged out set their own data; `chosen` are the chosen files, the dragged one among them. */
  onDragFile?: (entry: E, chosen: E[], event: DragEvent<HTMLTableRowElement>) => void;
  /** Changes when the listing is of another folder: the selection starts again at the top. */
  resetKey: string;
  busy?: boolean;
  /** Files can be chosen several at a time, with a tick box each. */
  multiSelect?: boolean;
  onSelectionChange?: (chosen: E[]) => void;
  /** The Delete key on a chosen row. */
  onDeleteKey?: () => void;
  /** An Age column (the registry's files): how old each file is, and a warning where it is soon removed. */
  age?: (entry: E) => { text: string; warning: string | null } | null;
}

const COLUMNS: { key: SortKey; title: string }[] = [
  { key: 'name', title: 'Name' },
  { key: 'size', title: 'Size' },
  { key: 'modified', title: 'Modified' },
];

const kindWords = (kind: ListedEntry['kind']) => (kind === 'folder' ? 'Folder' : kind === 'file' ? 'File' : 'Other');

/** Every row's height in pixels: `.file-table td` in styles.css (the same for every row, so none is measured). */
const ROW_HEIGHT = 30;
/** Rows drawn beyond each edge of the view, so a quick scroll or an arrow key finds them already there. */
const OVERSCAN = 10;
/**
 * A folder of up to this many rows is drawn whole (a registry folder within its quota of 300 always
 * is): every row is then in the page for the screen reader's browse mode and for find-in-page, and
 * the issue measured 300 rows smooth (55-60 frames a second). Above it, only the view.
 */
const DRAWN_WHOLE = 500;

export function FileTable<E extends ListedEntry>({
  label,
  entries,
  rowCount,
  empty,
  onOpenFolder,
  onOpenFile,
  onDragFile,
  resetKey,
  busy = false,
  multiSelect = false,
  onSelectionChange,
  onDeleteKey,
  age,
}: FileTableProps<E>) {
  const [order, setOrder] = useState<SortOrder>({ key: 'name', direction: 'ascending' });
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [cursor, setCursor] = useState<string | null>(null);
  const anchor = useRef<string | null>(null);
  const bodyRef = useRef<HTMLTableSectionElement>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  const headRef = useRef<HTMLTableSectionElement>(null);
  const focusWanted = useRef(false);
  const rows = useMemo(() => sortEntries(entries, order), [entries, order]);
  const files = useMemo(() => rows.filter((e) => e.kind === 'file'), [rows]);
  const names = useMemo(() => rows.map((e) => e.name), [rows]);
  const indexOf = useMemo(() => new Map(names.map((name, i) => [name, i])), [names]);

  useEffect(() => {
    setSelected(new Set());
    setCursor(null);
    anchor.current = null;
    // Another folder starts at its top, wherever the last one was scrolled to.
    scrollRef.current?.scrollTo({ top: 0 });
  }, [resetKey]);

  // A refreshed listing keeps the choice of the files that are still there.
  useEffect(() => {
    setSelected((current) => {
      if (current.size === 0) return current;
      const names = new Set(entries.map((e) => e.name));
      const still = [...current].filter((name) => names.has(name));
      return still.length === current.size ? current : new Set(still);
    });
  }, [entries]);

  const report = useRef(onSelectionChange);
  report.current = onSelectionChange;
  const lastReported = useRef<string | null>(null);
  useEffect(() => {
    const chosen = rows.filter((e) => selected.has(e.name));
    // Only a real change is reported: a new but equal listing must not wake the owner up.
    const key = JSON.stringify(chosen.map((e) => [e.name, e.size, e.modified]));
    if (key === lastReported.current) return;
    lastReported.current = key;
    report.current?.(chosen);
  }, [selected, rows]);

  const cursorIndex = cursor === null ? -1 : (indexOf.get(cursor) ?? -1);
  const firstSelected = cursorIndex >= 0 || selected.size === 0 ? -1 : rows.findIndex((e) => selected.has(e.name));
  const tabStop = cursorIndex >= 0 ? cursorIndex : firstSelected >= 0 ? firstSelected : 0;

  // The header sticks above the rows inside the scrolled box: rows start below it, and a row brought
  // into view from the keyboard stops below it, not under it.
  const [headHeight, setHeadHeight] = useState(ROW_HEIGHT);
  useLayoutEffect(() => {
    const height = headRef.current?.getBoundingClientRect().height;
    if (height) setHeadHeight(height);
  }, []);
  const keepTabStop = useCallback(
    (range: Range) => {
      const drawn = defaultRangeExtractor(range);
      if (tabStop < range.count && !drawn.includes(tabStop)) return [...drawn, tabStop].sort((a, b) => a - b);
      return drawn;
    },
    [tabStop],
  );
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey: (index) => rows[index]?.name ?? index,
    // A big folder's first page is not drawn whole only to be cut down when the rest arrives.
    overscan: Math.max(rows.length, rowCount ?? 0) <= DRAWN_WHOLE ? rows.length : OVERSCAN,
    scrollMargin: headHeight,
    scrollPaddingStart: headHeight,
    rangeExtractor: keepTabStop,
  });

  // After a folder opened from the keyboard, or a move with the arrow keys, focus follows the cursor
  // (the row is drawn: see keepTabStop), and the view follows the focus.
  useEffect(() => {
    if (!focusWanted.current || rows.length === 0) return;
    focusWanted.current = false;
    virtualizer.scrollToIndex(tabStop, { align: 'auto' });
    bodyRef.current?.querySelector<HTMLTableRowElement>(`tr[data-index="${tabStop}"]`)?.focus({ preventScroll: true });
  }, [rows, tabStop, virtualizer]);

  // Sorted another way, the row the keyboard was on stays in view (as Explorer keeps it), or the
  // view starts at the top.
  const sortedBefore = useRef(order);
  useEffect(() => {
    if (sortedBefore.current === order) return;
    sortedBefore.current = order;
    if (cursorIndex >= 0) virtualizer.scrollToIndex(cursorIndex, { align: 'center' });
    else scrollRef.current?.scrollTo({ top: 0 });
  }, [order, cursorIndex, virtualizer]);

  /** Rows in a page of the view: what Page Down and Page Up move by. */
  const pageRows = () => Math.max(1, Math.floor(((scrollRef.current?.clientHeight ?? 0) - headHeight) / ROW_HEIGHT) - 1);

  const open = (entry: E) => {
    if (entry.kind === 'folder' && onOpenFolder) {
      focusWanted.current = bodyRef.current?.contains(document.activeElement) ?? false;
      onOpenFolder(entry);
    } else if (entry.kind === 'file' && onOpenFile) {
      onOpenFile(entry);
    }
  };

  const range = (from: string | null, to: string): Set<string> => {
    const a = from === null ? -1 : (indexOf.get(from) ?? -1);
    const b = indexOf.get(to) ?? -1;
    if (a < 0 || b < 0) return new Set([to]);
    const [lo, hi] = a < b ? [a, b] : [b, a];
    return new Set(rows.slice(lo, hi + 1).map((e) => e.name));
  };

  const chooseOnly = (entry: E) => {
    setSelected(new Set([entry.name]));
    setCursor(entry.name);
    anchor.current = entry.name;
  };

  const toggle = (entry: E) => {
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(entry.name)) next.delete(entry.name);
      else next.add(entry.name);
      return next;
    });
    setCursor(entry.name);
    anchor.current = entry.name;
  };

  const onRowClick = (event: MouseEvent<HTMLTableRowElement>, entry: E) => {
    if (multiSelect && (event.ctrlKey || event.metaKey)) toggle(entry);
    else if (multiSelect && event.shiftKey) {
      setSelected(range(anchor.current, entry.name));
      setCursor(entry.name);
    } else chooseOnly(entry);
  };

  const moveTo = (index: number, extend: boolean) => {
    const entry = rows[Math.max(0, Math.min(rows.length - 1, index))];
    if (!entry) return;
    if (extend && multiSelect) {
      setSelected(range(anchor.current ?? cursor, entry.name));
      setCursor(entry.name);
    } else chooseOnly(entry);
    focusWanted.current = true;
  };

  /** Letters typed to go to a name (../type-ahead.ts), and when the last one was typed. */
  const typed = useRef({ text: '', at: -Infinity });

  const onRowKeyDown = (event: KeyboardEvent<HTMLTableRowElement>, index: number, entry: E) => {
    // A letter (or a space inside a name being typed) goes to the name that starts with the letters.
    const letter = event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey;
    const typing = event.timeStamp - typed.current.at < TYPE_AHEAD_PAUSE_MS;
    if (letter && (event.key !== ' ' || (typing && typed.current.text !== ''))) {
      event.preventDefault();
      typed.current = { text: typing ? typed.current.text + event.key : event.key, at: event.timeStamp };
      const found = typedRow(names, typed.current.text, index);
      if (found >= 0) moveTo(found, false);
      return;
    }
    const page = pageRows();
    const moves: Record<string, number> = {
      ArrowDown: index + 1,
      ArrowUp: index - 1,
      Home: 0,
      End: rows.length - 1,
      PageDown: index + page,
      PageUp: index - page,
    };
    const target = moves[event.key];
    if (target !== undefined) {
      event.preventDefault();
      moveTo(target, event.shiftKey);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      open(entry);
    } else if (event.key === ' ') {
      event.preventDefault();
      // As file managers do: Space chooses the row it is on (never un-chooses the one the arrow keys
      // just chose); Ctrl+Space adds or takes away, as a tick does.
      if (multiSelect && entry.kind === 'file' && (event.ctrlKey || event.metaKey)) toggle(entry);
      else if (multiSelect && entry.kind === 'file') {
        if (!selected.has(entry.name)) toggle(entry);
      } else chooseOnly(entry);
    } else if (multiSelect && event.key.toLowerCase() === 'a' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      setSelected(new Set(files.map((e) => e.name)));
    } else if (event.key === 'Delete' && onDeleteKey && selected.size > 0) {
      event.preventDefault();
      onDeleteKey();
    }
  };

  const chosenFiles = files.filter((e) => selected.has(e.name));
  const allChosen = files.length > 0 && chosenFiles.length === files.length;

  const renderRow = (entry: E, index: number) => {
    const isSelected = selected.has(entry.name);
    const canDrag = entry.kind === 'file' && onDragFile !== undefined;
    return (
      <tr
        key={entry.name}
        data-row=""
        data-index={index}
        data-kind={entry.kind}
        aria-rowindex={index + 2}
        aria-selected={isSelected}
        tabIndex={index === tabStop ? 0 : -1}
        className={isSelected ? 'is-selected' : undefined}
        draggable={canDrag}
        onDragStart={
          canDrag
            ? (event) => {
                const chosen = isSelected ? rows.filter((e) => e.kind === 'file' && selected.has(e.name)) : [entry];
                onDragFile?.(entry, chosen, event);
              }
            : undefined
        }
        onClick={(event) => onRowClick(event, entry)}
        onFocus={(event) => {
          // Focus that lands on the row's tick box is the box's business (its click follows).
          if (event.target !== event.currentTarget) return;
          setCursor(entry.name);
          if (selected.size === 0) chooseOnly(entry);
        }}
        onDoubleClick={() => open(entry)}
        onKeyDown={(event) => onRowKeyDown(event, index, entry)}
      >
        {multiSelect ? (
          <td className="cell-check">
            {entry.kind === 'file' ? (
              <input
                type="checkbox"
                className="row-check"
                tabIndex={-1}
                aria-label={`Choose ${entry.name}`}
                checked={isSelected}
                onClick={(event) => event.stopPropagation()}
                onChange={() => toggle(entry)}
              />
            ) : null}
          </td>
        ) : null}
        <td className="cell-name">
          {entry.kind === 'folder' ? <FolderIcon /> : <FileIcon />}
          <span className="entry-name" title={entry.name}>
            {entry.name}
          </span>
          <span className="visually-hidden">, {kindWords(entry.kind)}</span>
        </td>
        <td className="cell-size">{entry.kind === 'file' ? formatSize(entry.size) : ''}</td>
        <td className="cell-modified">{formatDateTime(entry.modified, entry.modifiedPrecision)}</td>
        {age ? <AgeCell value={age(entry)} /> : null}
      </tr>
    );
  };

  const columnCount = 3 + (multiSelect ? 1 : 0) + (age ? 1 : 0);
  const drawnRows = spacedRows(virtualizer.getVirtualItems(), virtualizer.getTotalSize(), headHeight, rows);

  return (
    <div className="file-table-wrap" ref={scrollRef}>
      <table
        className={`file-table${multiSelect ? ' has-checks' : ''}`}
        role="grid"
        aria-label={label}
        aria-readonly="true"
        aria-busy={busy}
        aria-multiselectable={multiSelect || undefined}
        aria-rowcount={Math.max(rows.length, rowCount ?? 0) + 1}
      >
        <colgroup>
          {multiSelect ? <col className="col-check" /> : null}
          <col className="col-name" />
          <col className="col-size" />
          <col className="col-modified" />
          {age ? <col className="col-age" /> : null}
        </colgroup>
        <thead ref={headRef}>
          <tr aria-rowindex={1}>
            {multiSelect ? (
              <th scope="col" className="th-check">
                <input
                  type="checkbox"
                  className="row-check"
                  aria-label="Choose all files"
                  title="Choose all files"
                  checked={allChosen}
                  ref={(el) => {
                    if (el) el.indeterminate = chosenFiles.length > 0 && !allChosen;
                  }}
                  disabled={files.length === 0}
                  onChange={() => setSelected(allChosen ? new Set() : new Set(files.map((e) => e.name)))}
                />
              </th>
            ) : null}
            {COLUMNS.map((column) => {
              const sorted = order.key === column.key;
              return (
                <th key={column.key} scope="col" aria-sort={sorted ? order.direction : 'none'} className={`th-${column.key}`}>
                  <button type="button" className="sort-button" onClick={() => setOrder(nextSortOrder(order, column.key))}>
                    <span>{column.title}</span>
                    <span className={`sort-arrow${sorted ? ' is-active' : ''}`} aria-hidden="true">
                      {sorted ? (order.direction === 'ascending' ? '▲' : '▼') : '▲'}
                    </span>
                  </button>
                </th>
              );
            })}
            {age ? (
              <th scope="col" className="th-age">
                Age
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody ref={bodyRef}>
          {drawnRows.map((item) =>
            item.spacer ? (
              <tr key={item.key} className="spacer-row" aria-hidden="true" style={{ height: item.height }}>
                <td colSpan={columnCount} />
              </tr>
            ) : (
              renderRow(item.entry, item.index)
            ),
          )}
        </tbody>
      </table>
      {rows.length === 0 && !busy ? <div className="empty-state">{empty}</div> : null}
    </div>
  );
}

type DrawnRow<E> = { spacer: true; key: string; height: number } | { spacer: false; entry: E; index: number };

/**
 * The rows to draw, in order, with a spacer row wherever rows are left out (before the view, after
 * it, and between the view and the keyboard's row when that one is scrolled away), so the table is
 * as tall as all its rows and the scroll bar tells the truth.
 */
function spacedRows<E>(items: readonly { index: number; start: number; end: number }[], totalSize: number, rowsStart: number, rows: readonly E[]): DrawnRow<E>[] {
  const drawn: DrawnRow<E>[] = [];
  let at = 0;
  for (const item of items) {
    const entry = rows[item.index];
    if (entry === undefined) continue;
    const gap = item.start - rowsStart - at;
    if (gap > 0) drawn.push({ spacer: true, key: `gap-before-${item.index}`, height: gap });
    drawn.push({ spacer: false, entry, index: item.index });
    at = item.end - rowsStart;
  }
  if (totalSize - at > 0) drawn.push({ spacer: true, key: 'gap-after', height: totalSize - at });
  return drawn;
}

function AgeCell({ value }: { value: { text: string; warning: string | null } | null }) {
  if (!value) return <td className="cell-age" />;
  return (
    <td className={`cell-age${value.warning ? ' is-warning' : ''}`} title={value.warning ?? undefined}>
      {value.text}
      {value.warning ? <span className="visually-hidden">, {value.warning}</span> : null}
    </td>
  );
}
