// The desktop app's transfer history, written by the CLI too, so the app shows what a scheduled job
// sent. A history that cannot be written never stops a transfer: it is said once, on stderr.
import { TransferHistory, type TransferRecord } from '../engine/transfers/history';
import type { Output } from './output';

export class HistoryLog {
  private readonly history: TransferHistory;
  private warned = false;

  constructor(
    dataDir: string,
    private readonly out: Output,
    private readonly who: { profileId: string; account: string },
  ) {
    this.history = new TransferHistory(dataDir);
  }

  get file(): string {
    return this.history.file;
  }

  async record(entry: Omit<TransferRecord, 'time' | 'profileId' | 'account'>): Promise<void> {
    try {
      await this.history.append({ time: new Date().toISOString(), ...this.who, ...entry, ...(entry.error ? { error: entry.error.slice(0, 1000) } : {}) });
    } catch (error) {
      if (this.warned) return;
      this.warned = true;
      const reason = (error as { code?: unknown }).code ? ` (${String((error as { code?: unknown }).code)})` : '';
      this.out.err(`registry-transfer: the transfer history in ${this.history.file} could not be written${reason}; the transfers themselves are not affected.`);
    }
  }
}
