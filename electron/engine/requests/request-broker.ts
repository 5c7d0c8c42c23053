// Questions the engine asks the user (trust this server? which new password?) are requests with an
// id, as in FileZilla's engine: emitted as an event, answered by `answerRequest(id, answer)`. One is
// shown at a time by the window; one that is never answered counts as "deny". The window and the
// command line answer the same requests.
import { randomUUID } from 'node:crypto';
import type { IdentityRequest, NewPasswordRequest, PromptRequest, RegistryEvent, RequestAnswer, RequestOutcome, TrustAnswer } from '../../../shared/contract';

type Body<R extends PromptRequest> = Omit<R, 'id' | 'timeoutSeconds'>;
export type NewPasswordAnswer = { newPassword: string } | 'deny';

interface Pending {
  kind: PromptRequest['kind'];
  resolve: (answer: RequestAnswer) => void;
  timer: NodeJS.Timeout;
}

/** Whether an answer fits the request it answers: a trust decision for an identity, a password (or deny) for a demand. */
function fits(kind: PromptRequest['kind'], answer: RequestAnswer): boolean {
  if (answer === 'deny') return true;
  return kind === 'new-password' ? typeof answer === 'object' : typeof answer === 'string';
}

const outcomeOf = (answer: RequestAnswer): RequestOutcome => (typeof answer === 'string' ? answer : 'new-password-given');

export class RequestBroker {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly emit: (event: RegistryEvent) => void,
    private readonly timeoutSeconds = 300,
  ) {}

  /** Trust this server's identity? */
  askTrust(body: Body<IdentityRequest>): Promise<TrustAnswer> {
    return this.ask(body) as Promise<TrustAnswer>;
  }

  /** The registry demands a new password: which one? The password itself never goes out in an event. */
  askNewPassword(body: Body<NewPasswordRequest>): Promise<NewPasswordAnswer> {
    return this.ask(body) as Promise<NewPasswordAnswer>;
  }

  private ask(body: Body<IdentityRequest> | Body<NewPasswordRequest>): Promise<RequestAnswer> {
    const id = randomUUID();
    return new Promise<RequestAnswer>((resolve) => {
      const timer = setTimeout(() => this.settle(id, 'deny'), this.timeoutSeconds * 1000);
      timer.unref?.();
      this.pending.set(id, { kind: body.kind, resolve, timer });
      this.emit({ type: 'request', request: { ...body, id, timeoutSeconds: this.timeoutSeconds } as PromptRequest });
    });
  }

  /**
   * 'not-found' when no such request is waiting (answered already, timed out, or never asked);
   * 'wrong-answer' when the answer is not one this request takes (it stays open).
   */
  answer(id: string, answer: RequestAnswer): 'answered' | 'not-found' | 'wrong-answer' {
    const entry = this.pending.get(id);
    if (!entry) return 'not-found';
    if (!fits(entry.kind, answer)) return 'wrong-answer';
    this.settle(id, answer);
    return 'answered';
  }

  /** Deny everything still waiting (the window closed, the app quits). */
  denyAll(): void {
    for (const id of [...this.pending.keys()]) this.settle(id, 'deny');
  }

  private settle(id: string, answer: RequestAnswer): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    clearTimeout(entry.timer);
    this.emit({ type: 'request-closed', id, answer: outcomeOf(answer) });
    entry.resolve(answer);
  }
}
