// A prompt is a request with an id: shown through an event, closed through another, answered once;
// one nobody answers counts as "Do not allow".
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RegistryEvent } from '../../../../shared/contract';
import { RequestBroker } from '../../../../electron/engine/requests/request-broker';

const body = {
  kind: 'host-key' as const,
  profileId: 'texas-immtrac2',
  profileName: 'Texas ImmTrac2',
  host: 'immtrac-ftp1.dshs.state.tx.us',
  port: 22,
  algorithm: 'ED25519',
  fingerprint: 'SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s',
};

function brokerWithEvents(timeoutSeconds?: number) {
  const events: RegistryEvent[] = [];
  const broker = new RequestBroker((e) => events.push(e), timeoutSeconds);
  const requestIds = () => events.flatMap((e) => (e.type === 'request' ? [e.request.id] : []));
  return { broker, events, requestIds };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('RequestBroker', () => {
  it('emits the request, then request-closed with the answer, and resolves with it', async () => {
    const { broker, events, requestIds } = brokerWithEvents(300);
    const answer = broker.ask(body);
    expect(events).toHaveLength(1);
    const [id] = requestIds();
    expect(events[0]).toEqual({ type: 'request', request: { ...body, id, timeoutSeconds: 300 } });

    expect(broker.answer(id as string, 'trust')).toBe(true);
    await expect(answer).resolves.toBe('trust');
    expect(events[1]).toEqual({ type: 'request-closed', id, answer: 'trust' });
    expect(broker.answer(id as string, 'deny')).toBe(false);
    expect(events).toHaveLength(2);
  });

  it('gives each request its own id and keeps their answers apart', async () => {
    const { broker, requestIds } = brokerWithEvents();
    const first = broker.ask(body);
    const second = broker.ask({ ...body, port: 2222 });
    const [a, b] = requestIds();
    expect(a).not.toBe(b);
    broker.answer(b as string, 'allow-once');
    broker.answer(a as string, 'deny');
    await expect(first).resolves.toBe('deny');
    await expect(second).resolves.toBe('allow-once');
  });

  it('returns false for an id it never asked', () => {
    const { broker, events } = brokerWithEvents();
    expect(broker.answer('no-such-request', 'trust')).toBe(false);
    expect(events).toEqual([]);
  });

  it('counts an unanswered request as deny when its time is up, and not before', async () => {
    vi.useFakeTimers();
    const { broker, events, requestIds } = brokerWithEvents(5);
    let settled: string | null = null;
    void broker.ask(body).then((a) => (settled = a));
    const [id] = requestIds();

    await vi.advanceTimersByTimeAsync(4_900);
    expect(settled).toBeNull();
    await vi.advanceTimersByTimeAsync(200);
    expect(settled).toBe('deny');
    expect(events.at(-1)).toEqual({ type: 'request-closed', id, answer: 'deny' });
    expect(broker.answer(id as string, 'trust')).toBe(false);
  });

  it('denies every open request at once when the window goes away', async () => {
    const { broker, events } = brokerWithEvents();
    const answers = Promise.all([broker.ask(body), broker.ask({ ...body, host: 'sshftp.cohealthnet.com' })]);
    broker.denyAll();
    await expect(answers).resolves.toEqual(['deny', 'deny']);
    expect(events.filter((e) => e.type === 'request-closed').map((e) => (e.type === 'request-closed' ? e.answer : null))).toEqual(['deny', 'deny']);
    broker.denyAll();
    expect(events).toHaveLength(4);
  });
});
