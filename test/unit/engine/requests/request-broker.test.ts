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
    const answer = broker.askTrust(body);
    expect(events).toHaveLength(1);
    const [id] = requestIds();
    expect(events[0]).toEqual({ type: 'request', request: { ...body, id, timeoutSeconds: 300 } });

    expect(broker.answer(id as string, 'trust')).toBe('answered');
    await expect(answer).resolves.toBe('trust');
    expect(events[1]).toEqual({ type: 'request-closed', id, answer: 'trust' });
    expect(broker.answer(id as string, 'deny')).toBe('not-found');
    expect(events).toHaveLength(2);
  });

  it('gives each request its own id and keeps their answers apart', async () => {
    const { broker, requestIds } = brokerWithEvents();
    const first = broker.askTrust(body);
    const second = broker.askTrust({ ...body, port: 2222 });
    const [a, b] = requestIds();
    expect(a).not.toBe(b);
    broker.answer(b as string, 'allow-once');
    broker.answer(a as string, 'deny');
    await expect(first).resolves.toBe('deny');
    await expect(second).resolves.toBe('allow-once');
  });

  it('asks for a new password without ever putting the password in an event, and refuses a trust answer to it', async () => {
    const { broker, events, requestIds } = brokerWithEvents(300);
    const demand = { kind: 'new-password' as const, profileId: 'texas-immtrac2', profileName: 'Texas ImmTrac2', protocol: 'sftp' as const, username: 'clinic01' };
    const answer = broker.askNewPassword(demand);
    const [id] = requestIds();
    expect(events[0]).toEqual({ type: 'request', request: { ...demand, id, timeoutSeconds: 300 } });
    expect(broker.answer(id as string, 'trust')).toBe('wrong-answer');
    expect(broker.answer(id as string, { newPassword: 'Winter-Clinic-2026!' })).toBe('answered');
    await expect(answer).resolves.toEqual({ newPassword: 'Winter-Clinic-2026!' });
    expect(events[1]).toEqual({ type: 'request-closed', id, answer: 'new-password-given' });
    expect(JSON.stringify(events)).not.toContain('Winter-Clinic-2026!');
  });

  it('refuses a password as the answer to a trust question', () => {
    const { broker, requestIds } = brokerWithEvents();
    void broker.askTrust(body);
    const [id] = requestIds();
    expect(broker.answer(id as string, { newPassword: 'Winter-Clinic-2026!' })).toBe('wrong-answer');
    expect(broker.answer(id as string, 'deny')).toBe('answered');
  });

  it('says not-found for an id it never asked', () => {
    const { broker, events } = brokerWithEvents();
    expect(broker.answer('no-such-request', 'trust')).toBe('not-found');
    expect(events).toEqual([]);
  });

  it('counts an unanswered request as deny when its time is up, and not before', async () => {
    vi.useFakeTimers();
    const { broker, events, requestIds } = brokerWithEvents(5);
    let settled: string | null = null;
    void broker.askTrust(body).then((a) => (settled = a));
    const [id] = requestIds();

    await vi.advanceTimersByTimeAsync(4_900);
    expect(settled).toBeNull();
    await vi.advanceTimersByTimeAsync(200);
    expect(settled).toBe('deny');
    expect(events.at(-1)).toEqual({ type: 'request-closed', id, answer: 'deny' });
    expect(broker.answer(id as string, 'trust')).toBe('not-found');
  });

  it('denies every open request at once when the window goes away', async () => {
    const { broker, events } = brokerWithEvents();
    const answers = Promise.all([broker.askTrust(body), broker.askTrust({ ...body, host: 'sshftp.cohealthnet.com' })]);
    broker.denyAll();
    await expect(answers).resolves.toEqual(['deny', 'deny']);
    expect(events.filter((e) => e.type === 'request-closed').map((e) => (e.type === 'request-closed' ? e.answer : null))).toEqual(['deny', 'deny']);
    broker.denyAll();
    expect(events).toHaveLength(4);
  });
});
