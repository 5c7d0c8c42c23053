// The file list both panes use: a table whose rows are one keyboard stop (arrow keys move, Enter
// opens a folder), with sortable columns and folders first.
import { useEffect, useMemo, useRef, useState, type DragEvent, type KeyboardEvent, type ReactNode } from 'react';
import { formatDateTime, formatSize, nextSortOrder, sortEntries, type ListedEntry, type SortKey, type SortOrder } from '../format';
import { FileIcon, FolderIcon } from './Icons';

interface FileTableProps<E extends ListedEntry> {
  /** The table's accessible name, e.g. "Files in Documents". */
  label: string;
  entries: readonly E[];
  /** Shown instead of rows when the folder is empty. */
  empty: ReactNode;
  /** Double-click or Enter on a folder. */
  onOpenFolder?: (entry: E) => void;
  /** Files that can be dragged out set their own data. */
  onDragFile?: (entry: E, event: DragEvent<HTMLTableRowElement>) => void;
  /** Changes when the listing is of another folder: the selection starts again at the top. */
  resetKey: string;
  busy?: boolean;
}

const COLUMNS: { key: SortKey; title: string }[] = [
  { key: 'name', title: 'Name' },
  { key: 'size', title: 'Size' },
  { key: 'modified', title: 'Modified' },
];

const kindWords = (kind: ListedEntry['kind']) => (kind === 'folder' ? 'Folder' : kind === 'file' ? 'File' : 'Other');

export function FileTable<E extends ListedEntry>({ label, entries, empty, onOpenFolder, onDragFile, resetKey, busy = false }: FileTableProps<E>) {
  const [order, setOrder] = useState<SortOrder>({ key: 'name', direction: 'ascending' });
  const [selected, setSelected] = useState<string | null>(null);
  const bodyRef = useRef<HTMLTableSectionElement>(null);
  const focusWanted = useRef(false);
  const rows = useMemo(() => sortEntries(entries, order), [entries, order]);

  useEffect(() => {
    setSelected(null);
  }, [resetKey]);

  const selectedIndex = rows.findIndex((e) => e.name === selected);
  const tabStop = selectedIndex >= 0 ? selectedIndex : 0;

  // After a folder opened from the keyboard, focus stays in the list, on its first row.
  useEffect(() => {
    if (!focusWanted.current) return;
    const row = bodyRef.current?.querySelectorAll<HTMLTableRowElement>('tr[data-row]')[tabStop];
    if (row) {
      focusWanted.current = false;
      row.focus();
    }
  }, [rows, tabStop]);

  const open = (entry: E) => {
    if (entry.kind === 'folder' && onOpenFolder) {
      focusWanted.current = bodyRef.current?.contains(document.activeElement) ?? false;
      onOpenFolder(entry);
    }
  };

  const moveTo = (index: number) => {
    const entry = rows[Math.max(0, Math.min(rows.length - 1, index))];
    if (!entry) return;
    setSelected(entry.name);
    focusWanted.current = true;
  };

  const onRowKeyDown = (event: KeyboardEvent<HTMLTableRowElement>, index: number, entry: E) => {
    const page = 10;
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
      moveTo(target);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      open(entry);
    } else if (event.key === ' ') {
      event.preventDefault();
      setSelected(entry.name);
    }
  };

  return (
    <div className="file-table-wrap">
      <table className="file-table" role="grid" aria-label={label} aria-readonly="true" aria-busy={busy} aria-rowcount={rows.length + 1}>
        <colgroup>
          <col className="col-name" />
          <col className="col-size" />
          <col className="col-modified" />
        </colgroup>
        <thead>
          <tr>
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
          </tr>
        </thead>
        <tbody ref={bodyRef}>
          {rows.map((entry, index) => {
            const isSelected = entry.name === selected;
            const canDrag = entry.kind === 'file' && onDragFile !== undefined;
            return (
              <tr
                key={entry.name}
                data-row=""
                data-kind={entry.kind}
                aria-selected={isSelected}
                tabIndex={index === tabStop ? 0 : -1}
                className={isSelected ? 'is-selected' : undefined}
                draggable={canDrag}
                onDragStart={canDrag ? (event) => onDragFile?.(entry, event) : undefined}
                onClick={() => setSelected(entry.name)}
                onFocus={() => setSelected(entry.name)}
                onDoubleClick={() => open(entry)}
                onKeyDown={(event) => onRowKeyDown(event, index, entry)}
              >
                <td className="cell-name">
                  {entry.kind === 'folder' ? <FolderIcon /> : <FileIcon />}
                  <span className="entry-name" title={entry.name}>
                    {entry.name}
                  </span>
                  <span className="visually-hidden">, {kindWords(entry.kind)}</span>
                </td>
                <td className="cell-size">{entry.kind === 'file' ? formatSize(entry.size) : ''}</td>
                <td className="cell-modified">{formatDateTime(entry.modified)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {rows.length === 0 && !busy ? <div className="empty-state">{empty}</div> : null}
    </div>
  );
}
