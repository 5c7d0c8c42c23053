// The call that follows what this computer sent: each file's place on the registry (dropoff,
// Accepted, its ACK and report, its consent file), from the local history and the registry's folders.
// The work is the application layer's (replies/submissions.ts), which the command line uses too.
import type { CallHandlers } from '../../../shared/contract';
import type { Engine } from '../engine';
import { listSubmissions } from '../replies/submissions';
import { answering } from './call-failure';

type SubmissionCalls = Pick<CallHandlers, 'listSubmissions'>;

export function submissionHandlers(engine: Engine): SubmissionCalls {
  return {
    listSubmissions: (filter) =>
      answering(async () => {
        const session = engine.session();
        return { ok: true as const, ...(await listSubmissions(session, session.request.profile, engine.history, filter, engine.ports.now?.() ?? new Date())) };
      }),
  };
}
