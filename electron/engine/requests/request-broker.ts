// Questions the engine asks the user (trust this server? ...) are requests with an id, as in
// FileZilla's engine: emitted as an event, answered by `answerRequest(id, answer)`. One is shown at a
// time by the window; one that is never answered counts as "deny".
import { randomUUID } from 'node:crypto';
import type { PromptRequest, RegistryEvent, TrustAnswer } from '../../../shared/contract';

type Pending = { resolve: (answer: TrustAnswer) => void; timer: NodeJS.Timeout };
type RequestBody = PromptRequest extends infer R ? (R extends PromptRequest ? Omit<R, 'id' | 'timeoutSeconds'> : never) : never;

export class RequestBroker {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly emit: (event: RegistryEvent) => void,
    private readonly timeoutSeconds = 300,
  ) {}

  ask(body: RequestBody): Promise<TrustAnswer> {
    const id = randomUUID();
    return new Promise<TrustAnswer>((resolve) => {
      const timer = setTimeout(() => this.settle(id, 'deny'), this.timeoutSeconds * 1000);
      timer.unref?.();
      this.pending.set(id, { resolve, timer });
      this.emit({ type: 'request', request: { ...body, id, timeoutSeconds: this.timeoutSeconds } as PromptRequest });
    });
  }

  /** Returns false when no such request is waiting (answered already, timed out, or never asked). */
  answer(id: string, answer: TrustAnswer): boolean {
    return this.settle(id, answer);
  }

  /** Deny everything still waiting (the window closed, the app quits). */
  denyAll(): void {
    for (const id of [...this.pending.keys()]) this.settle(id, 'deny');
  }

  private settle(id: string, answer: TrustAnswer): boolean {
    const entry = this.pending.get(id);
    if (!entry) return false;
    this.pending.delete(id);
    clearTimeout(entry.timer);
    this.emit({ type: 'request-closed', id, answer });
    entry.resolve(answer);
    return true;
  }
}
