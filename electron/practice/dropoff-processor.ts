// The practice registry's overnight run, a few seconds after each file lands: a file that arrives in
// HL7-Dropoff under its final name (temporary names are left alone) is read, answered with an ACK
// file and a DQA report in DQA-Report and a consent notification in Receive, and moved to Accepted
// when the registry could import it (removed from the dropoff folder when it could not: its report
// says why). It writes only inside the practice registry's own folders.
import { existsSync, readFileSync, renameSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { processSubmission, DEFAULT_REPORT_FORMATS, type ReportFormat } from './processing';
import { DROPOFF_FOLDER, type PracticeRegistryFiles } from './registry-files';

/** The largest file the practice registry reads whole (real batches are a few megabytes). */
export const LARGEST_PROCESSED_BYTES = 64 * 1024 * 1024;

export interface DropoffProcessorOptions {
  files: PracticeRegistryFiles;
  /** Seconds between a file landing and the registry answering it. */
  processAfterSeconds: number;
  formats?: readonly ReportFormat[];
  now?: () => Date;
}

/** `name`, or `name (2).ext`, ... : the first name not taken in `folder`. */
function freeName(folder: string, name: string): string {
  if (!existsSync(join(folder, name))) return name;
  const ext = extname(name);
  const base = name.slice(0, name.length - ext.length);
  for (let n = 2; ; n++) {
    const candidate = `${base} (${n})${ext}`;
    if (!existsSync(join(folder, candidate))) return candidate;
  }
}

export class DropoffProcessor {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly options: DropoffProcessorOptions) {}

  /** A file landed: answer it after the delay (again from the start if it lands again meanwhile). */
  landed(name: string): void {
    if (this.stopped) return;
    clearTimeout(this.timers.get(name));
    const timer = setTimeout(() => {
      this.timers.delete(name);
      const work = this.process(name).finally(() => this.running.delete(work));
      this.running.add(work);
    }, this.options.processAfterSeconds * 1000);
    timer.unref?.();
    this.timers.set(name, timer);
  }

  /** Files waiting for their turn, or being answered now. */
  get pending(): number {
    return this.timers.size + this.running.size;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.all([...this.running]);
  }

  private async process(name: string): Promise<void> {
    const { files } = this.options;
    const dropoff = files.folderPath(DROPOFF_FOLDER);
    const path = join(dropoff, name);
    try {
      const info = statSync(path, { throwIfNoEntry: false });
      // Taken back (deleted, renamed) before the registry got to it: nothing to answer.
      if (!info || !info.isFile()) return;
      const reports = files.folderPath('DQA-Report');
      if (info.size > LARGEST_PROCESSED_BYTES) {
        const note = `${name}: not processed. The practice registry reads files up to ${LARGEST_PROCESSED_BYTES / 1024 / 1024} MB; this one has ${info.size.toLocaleString('en-US')} bytes. Real registries take weekly batches of a few megabytes.\r\n`;
        writeFileSync(join(reports, freeName(reports, `${name.replace(/\.[^.]*$/, '')}_DQA.txt`)), note, { mode: 0o600 });
        unlinkSync(path);
        return;
      }
      // What the registry writes is dated by its own clock, as a real registry's files are dated when
      // it writes them (tests move the clock to see the purge warnings and the purge itself).
      const processedAt = (this.options.now ?? (() => new Date()))();
      const outcome = processSubmission({
        fileName: name,
        bytes: readFileSync(path),
        receivedAt: processedAt,
        importCode: files.username,
        formats: this.options.formats ?? DEFAULT_REPORT_FORMATS,
      });
      const write = (folder: string, file: { fileName: string; content: Buffer }) => {
        const dir = files.folderPath(folder);
        const target = join(dir, freeName(dir, file.fileName));
        writeFileSync(target, file.content, { mode: 0o600 });
        utimesSync(target, processedAt, processedAt);
      };
      if (outcome.ack) write('DQA-Report', outcome.ack);
      for (const report of outcome.reports) write('DQA-Report', report);
      if (outcome.consent) write('Receive', outcome.consent);
      if (outcome.accepted) {
        const accepted = files.folderPath('Accepted');
        const target = join(accepted, freeName(accepted, name));
        renameSync(path, target);
        utimesSync(target, processedAt, processedAt);
      } else {
        unlinkSync(path);
      }
    } catch {
      // The file changed under the registry (a client replaced or removed it meanwhile): it is
      // answered when it lands again; nothing else is touched.
    }
  }
}
