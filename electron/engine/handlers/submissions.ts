// The calls that follow what this computer sent: each file's place on the registry (dropoff,
// Accepted, its ACK and report, its consent file), from the local history and the registry's folders.
import { failure, type CallHandlers } from '../../../shared/contract';
import type { Engine } from '../engine';

type SubmissionCalls = Pick<CallHandlers, 'listSubmissions'>;

export function submissionHandlers(_engine: Engine): SubmissionCalls {
  return {
    // Being built (issue 14, item 1).
    listSubmissions: async () => failure('internal', 'Following submissions is not available in this version yet.'),
  };
}
