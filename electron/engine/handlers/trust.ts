// The calls that answer the engine's requests and look after the servers the user trusts.
import { failure, type CallHandlers } from '../../../shared/contract';
import type { Engine } from '../engine';

type TrustCalls = Pick<CallHandlers, 'answerRequest' | 'listTrusted' | 'removeTrusted'>;

export function trustHandlers(engine: Engine): TrustCalls {
  const { broker, trust } = engine;
  return {
    async answerRequest({ id, answer }) {
      const answered = broker.answer(id, answer);
      if (answered === 'answered') return { ok: true };
      if (answered === 'wrong-answer') return failure('invalid-input', 'That is not an answer to this question.');
      return failure('not-found', 'That question was already answered or has expired.');
    },

    async listTrusted() {
      return { ok: true, identities: trust.list() };
    },

    async removeTrusted({ id }) {
      return trust.remove(id) ? { ok: true } : failure('not-found', 'That server is not in the trusted list (any more).');
    },
  };
}
