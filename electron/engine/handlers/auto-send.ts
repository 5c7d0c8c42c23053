// The calls behind "Send automatically from this folder" (issue 17, item 3): the folder is one the
// user picked in the system's dialog, never a path the window names.
import { failure, type CallHandlers } from '../../../shared/contract';
import type { Engine } from '../engine';
import { answering } from './call-failure';

type AutoSendCalls = Pick<CallHandlers, 'getAutoSend' | 'chooseAutoSendFolder' | 'setAutoSendPaused' | 'stopAutoSend' | 'listMissedFailures' | 'dismissMissedFailures'>;

/** Settings key: failures in the history up to this time (ISO) were shown to the user, or happened before the app was first used. */
export const MISSED_FAILURES_SEEN_KEY = 'missedFailuresSeenAt';

export function autoSendHandlers(engine: Engine): AutoSendCalls {
  const { autoSender, ports } = engine;
  const state = async (profileId: string, username: string) => ({ ok: true as const, autoSend: await autoSender.state(profileId, username) });
  return {
    listMissedFailures: () =>
      answering(async () => {
        const seen = ports.settings.get(MISSED_FAILURES_SEEN_KEY);
        if (!engine.history) return { ok: true, failures: [] };
        if (typeof seen !== 'string') {
          // The first time: the history before it is not news.
          ports.settings.set(MISSED_FAILURES_SEEN_KEY, new Date().toISOString());
          return { ok: true, failures: [] };
        }
        const since = Date.parse(seen);
        const failures = (await engine.history.list({ limit: 1000 })).filter((e) => e.direction === 'upload' && e.result === 'failed' && Date.parse(e.time) > since);
        return { ok: true, failures };
      }),

    dismissMissedFailures: ({ upTo }) =>
      answering(async () => {
        const seen = ports.settings.get(MISSED_FAILURES_SEEN_KEY);
        if (typeof seen !== 'string' || Date.parse(upTo) > Date.parse(seen)) ports.settings.set(MISSED_FAILURES_SEEN_KEY, new Date(upTo).toISOString());
        return { ok: true };
      }),

    getAutoSend: ({ profileId, username }) =>
      answering(async () => {
        engine.requireProfile(profileId);
        return state(profileId, username);
      }),

    chooseAutoSendFolder: ({ profileId, username }) =>
      answering(async () => {
        engine.requireProfile(profileId);
        if (!ports.dataDir) return failure('internal', 'This window has no data folder to keep the record of files sent.');
        if (!ports.chooseFolder) return failure('internal', 'This window cannot open the folder picker.');
        const folder = await ports.chooseFolder('Choose the folder your EHR exports its files to');
        if (folder !== null) await autoSender.use(profileId, username, folder);
        return state(profileId, username);
      }),

    setAutoSendPaused: ({ profileId, username, paused }) =>
      answering(async () => {
        engine.requireProfile(profileId);
        await autoSender.pause(profileId, username, paused);
        return state(profileId, username);
      }),

    stopAutoSend: ({ profileId, username }) =>
      answering(async () => {
        engine.requireProfile(profileId);
        await autoSender.use(profileId, username, null);
        return state(profileId, username);
      }),
  };
}
