// How a thrown engine error becomes the contract's failure: a RemoteError says its own plain words;
// anything else is a bug, whose message (which may carry server text or paths) never crosses.
import { failure, type Failure } from '../../../shared/contract';
import { RemoteError } from '../remote/remote-fs';

export function toFailure(error: unknown): Failure {
  if (error instanceof RemoteError) return failure(error.code, error.message, error.detail);
  return failure('internal', 'Something went wrong inside the app. Nothing was changed. Please try again.');
}

/** Run a handler's body; a thrown engine error (a precondition, a server's refusal) is its failure. */
export async function answering<T>(body: () => Promise<T>): Promise<T | Failure> {
  try {
    return await body();
  } catch (error) {
    return toFailure(error);
  }
}
