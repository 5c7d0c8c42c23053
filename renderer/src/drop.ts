// What a drag carries: rows from the My Computer pane (their paths, as drag data of our own type),
// or files from the operating system's file manager (File objects whose path only the preload can
// read).

/** One dragged file's full path, set by the My Computer pane. */
export const LOCAL_PATH_DRAG_TYPE = 'application/x-registry-local-path';
/** Several selected files dragged together: a JSON array of full paths. */
export const LOCAL_PATHS_DRAG_TYPE = 'application/x-registry-local-paths';

/** Whether a drag holds files at all (a dragged piece of text does not). Types are readable during the drag; data is not. */
export function carriesFiles(data: DataTransfer | null): boolean {
  if (!data) return false;
  const types = [...data.types];
  return types.includes(LOCAL_PATH_DRAG_TYPE) || types.includes(LOCAL_PATHS_DRAG_TYPE) || types.includes('Files');
}

export interface DroppedFiles {
  paths: string[];
  /** Names of dropped files whose place on disk could not be told. */
  unknown: string[];
}

export function droppedFiles(data: DataTransfer, pathForFile: (file: File) => string): DroppedFiles {
  const list = data.getData(LOCAL_PATHS_DRAG_TYPE);
  if (list) {
    try {
      const parsed: unknown = JSON.parse(list);
      if (Array.isArray(parsed) && parsed.every((p) => typeof p === 'string' && p !== '')) return { paths: parsed as string[], unknown: [] };
    } catch {
      // Not ours after all: fall through to the single path and the files.
    }
  }
  const one = data.getData(LOCAL_PATH_DRAG_TYPE);
  if (one) return { paths: [one], unknown: [] };
  const paths: string[] = [];
  const unknown: string[] = [];
  for (const file of [...data.files]) {
    let path = '';
    try {
      path = pathForFile(file);
    } catch {
      path = '';
    }
    if (path) paths.push(path);
    else unknown.push(file.name);
  }
  return { paths, unknown };
}

export function unknownPathWords(names: readonly string[]): string {
  const which = names.length === 1 ? `where ${names[0]} is` : `where ${names.length} of the dropped files are`;
  return `The app could not tell ${which} on this computer, so nothing was sent. Drag it from the My Computer pane, or use “Upload files…”.`;
}
