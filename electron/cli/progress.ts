// The one progress line a transfer shows while someone watches a terminal. A scheduled job's stdout
// is a file or a pipe, and a log full of carriage returns helps nobody, so there it shows nothing.
import { formatSize } from './output';
import type { RegistryEvent } from '../../shared/contract';

const REDRAW_INTERVAL_MS = 250;
/** Clears the rest of the line, so a shorter line leaves no tail of the longer one before it. */
const CLEAR_TO_END = '\x1b[K';

export interface ProgressSink {
  redraw(text: string): void;
}

function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

/** `  sending  45%  115 MB of 256 MB  34 MB/s  0:04 left` */
export function progressText(verb: string, bytes: number, total: number, elapsedSeconds: number): string {
  const parts = [`  ${verb}`];
  if (total > 0) parts.push(`${Math.min(100, Math.floor((bytes / total) * 100))}%`, `${formatSize(bytes)} of ${formatSize(total)}`);
  else parts.push(formatSize(bytes));
  if (elapsedSeconds >= 1 && bytes > 0) {
    const rate = bytes / elapsedSeconds;
    parts.push(`${formatSize(rate)}/s`);
    if (total > bytes) parts.push(`${formatDuration((total - bytes) / rate)} left`);
  }
  return parts.join('  ');
}

export class ProgressLine {
  private started = 0;
  private lastDrawn = 0;
  private drawn = false;
  private verb = '';
  private total = 0;

  constructor(
    private readonly sink: ProgressSink,
    readonly enabled: boolean,
    private readonly now: () => number = Date.now,
  ) {}

  start(verb: string, total: number): void {
    this.verb = verb;
    this.total = total;
    this.started = this.now();
    this.lastDrawn = 0;
  }

  /** A new total for the line started last (more files joined it), keeping its start time. */
  setTotal(total: number): void {
    this.total = total;
  }

  update = (bytes: number): void => {
    if (!this.enabled) return;
    const now = this.now();
    if (now - this.lastDrawn < REDRAW_INTERVAL_MS && bytes < this.total) return;
    this.lastDrawn = now;
    this.drawn = true;
    this.sink.redraw(`\r${progressText(this.verb, bytes, this.total, (now - this.started) / 1000)}${CLEAR_TO_END}`);
  };

  /** Remove the line, so what is printed next starts on a clean line. */
  clear(): void {
    if (!this.drawn) return;
    this.drawn = false;
    this.sink.redraw(`\r${CLEAR_TO_END}`);
  }
}

/** The progress line's part for one file: its bytes as they go, and its end. */
interface FileProgress {
  start(total: number): void;
  update(bytes: number): void;
  stop(): void;
}

/** One progress line for the files being sent at once: their bytes together, until all are done. */
export class SendingProgress {
  private readonly files = new Map<number, { bytes: number; total: number; active: boolean }>();

  constructor(
    private readonly line: ProgressLine,
    /** What the line says is happening: sending, downloading. */
    private readonly verb = 'sending',
  ) {}

  for(key: number): FileProgress {
    return {
      start: (total) => {
        if (![...this.files.values()].some((f) => f.active)) {
          this.files.clear();
          this.line.start(this.verb, 0);
        }
        this.files.set(key, { bytes: 0, total, active: true });
        this.line.setTotal(this.sum('total'));
      },
      update: (bytes) => {
        const file = this.files.get(key);
        if (!file) return;
        file.bytes = bytes;
        this.line.update(this.sum('bytes'));
      },
      stop: () => {
        const file = this.files.get(key);
        if (file) file.active = false;
        if (![...this.files.values()].some((f) => f.active)) this.line.clear();
      },
    };
  }

  private sum(field: 'bytes' | 'total'): number {
    let total = 0;
    for (const file of this.files.values()) total += file[field];
    return total;
  }
}

/**
 * Show the engine's transfers on the progress line as their events come: `track` names the queue's
 * transfer id and the file's place in the run.
 */
export function followTransfers(
  source: { onEvent(listener: (event: RegistryEvent) => void): () => void },
  progress: SendingProgress,
): { track(id: string, index: number): void; stop(): void } {
  const indexOf = new Map<string, number>();
  const started = new Set<number>();
  const stop = source.onEvent((event) => {
    if (event.type !== 'transfer') return;
    const index = indexOf.get(event.transfer.id);
    if (index === undefined) return;
    const { state, bytes, total } = event.transfer;
    if (state === 'sending' || state === 'verifying') {
      if (!started.has(index)) {
        started.add(index);
        progress.for(index).start(total);
      }
      progress.for(index).update(bytes);
    } else if (state !== 'queued' && started.delete(index)) {
      progress.for(index).stop();
    }
  });
  return { track: (id, index) => void indexOf.set(id, index), stop };
}
