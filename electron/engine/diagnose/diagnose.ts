// The connection check (issue 16): when nothing connects, a step-by-step answer the clinic's IT can
// act on. The registries' specifications spend most of their words on this (ports to open, host
// names not addresses, NAT) and their staff "are not authorized to provide support for network
// issues", so each failed step says what to ask IT for, naming the host and the ports.
// Steps: the name, the TCP connection, the handshake (the same connection code sign-in uses, ended
// as soon as the server's identity is seen: nothing is sent before), the sign-in (only to a server
// whose identity is already trusted, and only with a password or key the user has), the folders, and
// for FTPS one passive data connection. The window and the command line run this same function.
import { lookup } from 'node:dns/promises';
import { connect as connectTcp, isIP } from 'node:net';
import { arch, release } from 'node:os';
import type { ParsedKey } from 'ssh2';
import type { Diagnosis, DiagnosisStep, DiagnosisStepId, ErrorCode, Protocol } from '../../../shared/contract';
import { signIn } from '../credentials/sign-in';
import type { Engine } from '../engine';
import { endpointFor, type Profile } from '../profiles';
import { resolveRoleFolders } from '../remote/folders';
import { RemoteError, type RemoteFs } from '../remote/remote-fs';
import { probeIdentity, resolveEndpoint, type OpenRequest } from '../session/open-verified';
import { sameFingerprint } from '../trust/fingerprint';
import type { SeenIdentity } from '../trust/trust-store';

export interface DiagnoseParams {
  profile: Profile;
  protocol: Protocol;
  endpointOverride?: { host?: string; port?: number };
  /** The login to check; without it, the check stops before signing in. */
  username: string | null;
  /** A password given for this check; absent: the one saved in the keychain, if any. '' with a key: the key alone. */
  typed?: string;
  key?: ParsedKey;
  /** The command line's --trust: the identity the user expects, checked as the trust store's would be. */
  expectedFingerprint?: string;
  timeoutSeconds?: number;
  /** Each step as it ends (the command line prints it at once). */
  onStep?: (step: DiagnosisStep) => void;
  /** Who is asking: the report's first lines. */
  app: { name: string; version: string };
  now?: () => Date;
}

const STEP_TITLES: Record<DiagnosisStepId, (port: number) => string> = {
  name: () => 'Finding the server by name',
  tcp: (port) => `Connection to port ${port}`,
  handshake: () => 'Secure handshake and server identity',
  'sign-in': () => 'Sign-in',
  folders: () => 'The registry’s folders',
  'data-connection': () => 'Passive data connection (FTPS)',
};

const errorCodeOf = (error: unknown): ErrorCode => (error instanceof RemoteError ? error.code : 'internal');
const messageOf = (error: unknown): string =>
  error instanceof RemoteError ? error.message : 'Something went wrong inside the app during this step. Nothing was changed.';

/** "5000-5010" or null. */
const rangeWords = (range: { from: number; to: number } | undefined) => (range ? (range.from === range.to ? `${range.from}` : `${range.from}-${range.to}`) : null);

export async function diagnose(engine: Engine, params: DiagnoseParams): Promise<Diagnosis> {
  const { profile, protocol } = params;
  const now = params.now ?? (() => new Date());
  const checkedAt = now();
  const base: Omit<OpenRequest, 'password'> = {
    profile,
    protocol,
    username: params.username ?? '',
    ...(params.endpointOverride ? { endpointOverride: params.endpointOverride } : {}),
    ...(params.timeoutSeconds !== undefined ? { timeoutSeconds: params.timeoutSeconds } : {}),
    ...(params.key ? { key: params.key } : {}),
  };
  const profileEndpoint = endpointFor(profile, protocol);
  if (!profileEndpoint) throw new RemoteError('invalid-input', `${profile.name} does not offer ${protocol.toUpperCase()}.`);
  const endpoint = resolveEndpoint({ ...base, password: '' });
  const { host, port, timeoutSeconds } = endpoint;
  const passive = protocol === 'ftps' ? rangeWords(endpoint.passivePorts) : null;
  const portsWords = passive ? `TCP ${port} and ${passive}` : `TCP ${port}`;
  const openPortsAdvice = `Ask IT to allow outbound ${portsWords} from this computer to ${host}${isIP(host) ? '' : ' (by its name: its address may change)'}.`;
  const isPractice = engine.ports.practice?.profile().id === profile.id;

  const steps: DiagnosisStep[] = [];
  /** The sign-in was skipped only because no password was at hand. */
  let wantsPassword = false;
  let failed: { id: DiagnosisStepId; code: ErrorCode } | null = null;
  const record = (id: DiagnosisStepId, started: number | null, fields: Omit<DiagnosisStep, 'id' | 'title' | 'milliseconds'>, code?: ErrorCode): DiagnosisStep => {
    const step: DiagnosisStep = { id, title: STEP_TITLES[id](port), milliseconds: started === null ? null : Math.max(0, Date.now() - started), ...fields };
    steps.push(step);
    if (step.status === 'failed' && failed === null) failed = { id, code: code ?? 'unreachable' };
    params.onStep?.(step);
    return step;
  };
  const skipRest = (ids: DiagnosisStepId[], why: string) => {
    for (const id of ids) record(id, null, { status: 'skipped', message: why, details: [], askIt: null });
  };
  const later: DiagnosisStepId[] = ['tcp', 'handshake', 'sign-in', 'folders', ...(protocol === 'ftps' ? (['data-connection'] as const) : [])];

  // 1. The name.
  let started = Date.now();
  if (isIP(host)) {
    const loopback = host === '127.0.0.1' || host === '::1';
    record('name', started, {
      status: isPractice && loopback ? 'passed' : 'warning',
      message:
        isPractice && loopback
          ? `${host} is this computer: the practice registry runs here.`
          : `${host} is an IP address. Registries ask to be reached by their host name: an address can change without notice, and then this one stops working.`,
      details: [],
      askIt: null,
    });
  } else {
    try {
      const addresses = await withTimeout(lookup(host, { all: true }), timeoutSeconds, 'timeout');
      record('name', started, { status: 'passed', message: `${host} was found.`, details: [`Addresses: ${addresses.map((a) => a.address).join(', ')}`], askIt: null });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      record(
        'name',
        started,
        {
          status: 'failed',
          message:
            code === 'timeout'
              ? `Looking up ${host} got no answer within ${timeoutSeconds} seconds.`
              : `The name ${host} was not found${code === 'ENOTFOUND' ? '' : ` (${code ?? 'no answer'})`}. This computer cannot reach the registry until it can look the name up.`,
          details: code ? [`DNS: ${code}`] : [],
          askIt: `Ask IT to check that this computer can look up ${host} (DNS), and that no proxy or filter blocks it.`,
        },
        'unreachable',
      );
      skipRest(later, 'Not tried: the server’s name was not found.');
      return finish();
    }
  }

  // 2. TCP.
  started = Date.now();
  const tcp = await tcpProbe(host, port, timeoutSeconds);
  if (tcp.ok) {
    record('tcp', started, { status: 'passed', message: `The server answered on port ${port}.`, details: [`Connected to ${tcp.address}:${port}`], askIt: null });
  } else {
    record(
      'tcp',
      started,
      {
        status: 'failed',
        message:
          tcp.why === 'refused'
            ? `The connection to ${host} port ${port} was refused: nothing answers there, or a firewall turns it away.`
            : tcp.why === 'timeout'
              ? `No answer from ${host} port ${port} within ${timeoutSeconds} seconds: a firewall is most likely dropping the connection.`
              : `This computer could not reach ${host} port ${port} (${tcp.code}).`,
        details: [`${tcp.code}`],
        askIt: openPortsAdvice,
      },
      tcp.why === 'timeout' ? 'timeout' : 'unreachable',
    );
    skipRest(later.slice(1), 'Not tried: no connection to the server.');
    return finish();
  }

  // 3. The handshake and the server's identity (nothing sent but the handshake itself).
  started = Date.now();
  let seen: SeenIdentity;
  try {
    seen = await probeIdentity(base);
  } catch (error) {
    const code = errorCodeOf(error);
    record(
      'handshake',
      started,
      {
        status: 'failed',
        message: messageOf(error),
        details: error instanceof RemoteError && error.detail ? [error.detail] : [],
        askIt:
          code === 'timeout'
            ? `The server took the connection but did not finish the handshake. ${openPortsAdvice.replace(/\.$/, '')}, and not to inspect or hold that traffic (a proxy, an antivirus' TLS scanning).`
            : code === 'tls-required' || code === 'algorithm-mismatch'
              ? `This is on the server’s side, not this computer’s: tell ${profile.support.team} what this step says.`
              : openPortsAdvice,
      },
      code,
    );
    skipRest(later.slice(2), 'Not tried: the handshake did not complete.');
    return finish();
  }
  const decision = engine.trust.decide(seen);
  const vouched = isPractice && engine.ports.practice?.vouches(seen) === true;
  const pinned = params.expectedFingerprint !== undefined ? sameFingerprint(params.expectedFingerprint, seen.fingerprint) : null;
  const trusted = vouched || pinned === true || (pinned === null && decision.status === 'trusted');
  const identityDetails = identityFacts(seen);
  const what = seen.kind === 'tls-certificate' ? 'certificate' : 'host key';
  if (pinned === false || (pinned === null && decision.status === 'changed')) {
    record(
      'handshake',
      started,
      {
        status: 'failed',
        message:
          pinned === false
            ? `The server showed a ${what} other than the one expected (${params.expectedFingerprint}). Nothing was sent to it.`
            : `The server’s ${what} has changed since this computer trusted it. Nothing was sent to it: check the new one with ${profile.support.team} before signing in.`,
        details: identityDetails,
        askIt: `Ask ${profile.support.team} whether the registry changed its ${what}; if it did not, something between this computer and the registry is answering in its place (ask IT).`,
      },
      'identity-changed',
    );
    skipRest(later.slice(2), `Not tried: a password is never sent to a server whose ${what} is not the trusted one.`);
    return finish();
  }
  const certificateWarning = seen.certificate ? certificateProblem(seen.certificate, now()) : null;
  const handshakeStep = record('handshake', started, {
    status: trusted && certificateWarning === null ? 'passed' : 'warning',
    message: [
      seen.kind === 'tls-certificate' ? `TLS handshake completed (${seen.certificate?.protocol ?? 'TLS'}).` : `SSH handshake completed (host key ${seen.description}).`,
      vouched
        ? 'It is the practice registry’s own identity.'
        : trusted
          ? `Its ${what} is the one this computer trusts.`
          : `Its ${what} is not trusted on this computer yet: sign in once in the app and compare the fingerprint with the one ${profile.support.team} gives you.`,
      certificateWarning ?? '',
    ]
      .filter(Boolean)
      .join(' '),
    details: identityDetails,
    askIt: null,
  });

  // 4. Sign-in: never to an identity not trusted; only with something to sign in with.
  const afterSignIn: DiagnosisStepId[] = later.slice(3);
  if (!trusted) {
    skipRest(['sign-in', ...afterSignIn], `Not tried: no password is sent to a server whose ${what} is not trusted yet.`);
    return finish();
  }
  if (!params.username) {
    skipRest(['sign-in', ...afterSignIn], 'Not tried: no username was given.');
    return finish();
  }
  started = Date.now();
  let fs: RemoteFs | null = null;
  try {
    const signedIn = await signIn({ profile, base, typed: params.typed, rememberPassword: false, newPassword: undefined }, { keychain: engine.keychain, open: engine.open });
    fs = signedIn.opened.fs;
    const facts = fs.facts?.() ?? null;
    if (facts?.negotiated) handshakeStep.details.push(`Agreed: ${facts.negotiated}`);
    record('sign-in', started, {
      status: 'passed',
      message: `Signed in as ${params.username}${params.key ? (params.typed === '' ? ' with the key' : ' with the key and password') : ''}.`,
      details: [],
      askIt: null,
    });
  } catch (error) {
    const code = errorCodeOf(error);
    const nothingToTry = code === 'no-password' || code === 'keychain-unavailable';
    wantsPassword = nothingToTry;
    record(
      'sign-in',
      nothingToTry ? null : started,
      {
        status: nothingToTry ? 'skipped' : code === 'password-change-required' ? 'warning' : 'failed',
        message: nothingToTry ? `Not tried: ${messageOf(error).replace(/ Enter the password to sign in\..*$/, '')} Give the password to check the sign-in too.` : messageOf(error),
        details: [],
        askIt:
          code === 'auth-failed' || code === 'too-many-connections'
            ? `Not a network matter: the connection works. ${profile.passwordChange.resetBy ?? `${profile.support.team} can reset a forgotten password.`}`
            : null,
      },
      code,
    );
    skipRest(afterSignIn, 'Not tried: not signed in.');
    return finish();
  }

  // 5. The folders (and, over FTPS, the passive data connections their listings take).
  started = Date.now();
  const lines: string[] = [];
  let folderFailure: RemoteError | null = null;
  try {
    const folders = await resolveRoleFolders(fs, profile, params.username);
    for (const folder of folders) {
      try {
        const entries = await fs.list(folder.path);
        const files = entries.filter((e) => e.kind === 'file').length;
        lines.push(`${folder.name}: listed (${files} file${files === 1 ? '' : 's'}); the registry gives this account: ${folder.rights.join(', ') || 'nothing'}`);
      } catch (error) {
        folderFailure ??= error instanceof RemoteError ? error : new RemoteError('internal', messageOf(error));
        lines.push(`${folder.name}: ${messageOf(error)}`);
      }
    }
  } catch (error) {
    folderFailure = error instanceof RemoteError ? error : new RemoteError('internal', messageOf(error));
  }
  const dataPort = fs.facts?.().lastDataPort ?? null;
  await fs.close();
  const dataFailed = folderFailure !== null && protocol === 'ftps' && /data connection|passive/i.test(`${folderFailure.message} ${folderFailure.detail ?? ''}`);
  record(
    'folders',
    started,
    folderFailure === null
      ? { status: 'passed', message: 'Every folder of the registry could be listed.', details: lines, askIt: null }
      : {
          status: 'failed',
          message: folderFailure.message,
          details: lines,
          askIt: dataFailed ? `Ask IT to allow outbound TCP ${passive ?? 'the registry’s passive data ports'} from this computer to ${host}.` : null,
        },
    folderFailure?.code ?? 'internal',
  );
  if (protocol === 'ftps') {
    const inRange = dataPort !== null && endpoint.passivePorts ? dataPort >= endpoint.passivePorts.from && dataPort <= endpoint.passivePorts.to : null;
    if (dataFailed) {
      record('data-connection', null, {
        status: 'failed',
        message: `The server named data port ${dataPort ?? '(unknown)'} for the listing, and the connection to it did not open.${passive ? ` The registry publishes ${passive} as its data ports.` : ''}`,
        details: dataPort !== null ? [`Data port named by the server: ${dataPort}`] : [],
        askIt: `Ask IT to allow outbound TCP ${passive ?? (dataPort ?? 'the data ports')} from this computer to ${host}.`,
      });
    } else if (dataPort === null) {
      skipRest(['data-connection'], 'Not tried: no listing needed a data connection.');
    } else {
      record('data-connection', null, {
        status: inRange === false ? 'warning' : 'passed',
        message:
          inRange === false
            ? `The listing came over data port ${dataPort}, outside the range the registry publishes (${passive}): a firewall opened only for that range would block it.`
            : `The listing came over data port ${dataPort}${passive ? `, inside the range the registry publishes (${passive})` : ''}.`,
        details: [`Data port named by the server: ${dataPort}`],
        askIt: inRange === false ? `Tell ${profile.support.team} that its server named data port ${dataPort}, outside ${passive}.` : null,
      });
    }
  }
  return finish();

  function finish(): Diagnosis {
    const failure = failed as { id: DiagnosisStepId; code: ErrorCode } | null;
    const diagnosis: Omit<Diagnosis, 'report'> = {
      checkedAt: checkedAt.toISOString(),
      profileId: profile.id,
      profileName: profile.name,
      protocol,
      host,
      port,
      steps,
      passed: failure === null,
      failedStep: failure?.id ?? null,
      code: failure?.code ?? null,
      wantsPassword,
    };
    return { ...diagnosis, report: reportText(diagnosis, { profile, endpoint, username: params.username, app: params.app }) };
  }
}

function withTimeout<T>(promise: Promise<T>, seconds: number, code: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_resolve, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(code), { code })), seconds * 1000);
    }),
  ]).finally(() => clearTimeout(timer));
}

type TcpResult = { ok: true; address: string } | { ok: false; why: 'refused' | 'timeout' | 'other'; code: string };

function tcpProbe(host: string, port: number, timeoutSeconds: number): Promise<TcpResult> {
  return new Promise((resolve) => {
    const socket = connectTcp({ host, port });
    const done = (result: TcpResult) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutSeconds * 1000, () => done({ ok: false, why: 'timeout', code: 'ETIMEDOUT' }));
    socket.once('connect', () => done({ ok: true, address: socket.remoteAddress?.replace(/^::ffff:/i, '') ?? host }));
    socket.once('error', (error: NodeJS.ErrnoException) =>
      done({ ok: false, why: error.code === 'ECONNREFUSED' ? 'refused' : error.code === 'ETIMEDOUT' ? 'timeout' : 'other', code: error.code ?? error.message }),
    );
  });
}

function identityFacts(seen: SeenIdentity): string[] {
  if (!seen.certificate) return [`Host key: ${seen.description} ${seen.fingerprint}`];
  const c = seen.certificate;
  return [
    `TLS version: ${c.protocol}`,
    `Certificate: ${c.subject}`,
    `Issued by: ${c.issuer}${c.authorityTrusted ? ' (a certificate authority this computer trusts)' : ` (not vouched for by a certificate authority this computer trusts: ${c.authorityProblem ?? 'unknown'})`}`,
    `Valid: ${c.validFrom.slice(0, 10)} to ${c.validTo.slice(0, 10)}`,
    `Names: ${c.names.join(', ') || '(none)'}${c.hostnameMatches ? '' : ' (the host name is not among them)'}`,
    `SHA-256 fingerprint: ${seen.fingerprint}`,
  ];
}

/** A certificate past its end, or within 14 days of it: worth a line, never a refusal here. */
function certificateProblem(certificate: NonNullable<SeenIdentity['certificate']>, now: Date): string | null {
  const days = Math.floor((Date.parse(certificate.validTo) - now.getTime()) / 86_400_000);
  if (days < 0) return `The certificate expired on ${certificate.validTo.slice(0, 10)}.`;
  if (days <= 14) return `The certificate ends on ${certificate.validTo.slice(0, 10)}, in ${days} day${days === 1 ? '' : 's'}.`;
  return null;
}

const STATUS_WORDS: Record<DiagnosisStep['status'], string> = { passed: 'passed', warning: 'passed, with a warning', failed: 'FAILED', skipped: 'skipped' };

/**
 * The report IT or the registry's help desk reads: every step with its timing, the app and system,
 * the registry and endpoint. Built from the steps only: no password, no file's contents.
 */
function reportText(
  diagnosis: Omit<Diagnosis, 'report'>,
  { profile, endpoint, username, app }: { profile: Profile; endpoint: ReturnType<typeof resolveEndpoint>; username: string | null; app: { name: string; version: string } },
): string {
  const passive = rangeWords(endpoint.passivePorts);
  const how =
    endpoint.protocol === 'ftps'
      ? `FTPS, ${endpoint.tls === 'implicit' ? 'implicit' : 'explicit'} TLS${passive ? `, passive data ports ${passive}` : ''}`
      : 'SFTP';
  const support = [profile.support.team, profile.support.phone, profile.support.email, profile.support.hours].filter(Boolean).join(' · ');
  const lines = [
    `${app.name} connection check`,
    `Checked: ${diagnosis.checkedAt}`,
    `App: ${app.name} ${app.version} · System: ${process.platform} ${release()} (${arch()}) · Node ${process.versions.node}`,
    `Registry: ${profile.name} (${profile.id}) · ${how} · ${endpoint.host} port ${endpoint.port}`,
    `Account: ${username ?? '(none given)'} · no password or file contents are in this report`,
    `Settings the app uses: ${endpoint.timeoutSeconds}-second timeout, ${profile.network.retries === 0 ? 'no automatic retries' : `${profile.network.retries} retries`}, ${profile.network.keepAlive ? 'keep-alive on' : 'no keep-alive'}, ${profile.network.disconnectAfterTransfers ? 'disconnect when transfers are done' : 'stays connected'}`,
    '',
  ];
  diagnosis.steps.forEach((step, index) => {
    lines.push(`${index + 1}. ${step.title}: ${STATUS_WORDS[step.status]}${step.milliseconds !== null ? ` (${step.milliseconds} ms)` : ''}`);
    lines.push(`   ${step.message}`);
    for (const detail of step.details) lines.push(`   - ${detail}`);
    if (step.askIt) lines.push(`   What to do: ${step.askIt}`);
  });
  lines.push('');
  const failedStep = diagnosis.steps.find((s) => s.id === diagnosis.failedStep);
  lines.push(failedStep ? `Result: failed at "${failedStep.title}".${failedStep.askIt ? ` ${failedStep.askIt}` : ''}` : 'Result: every step that ran passed.');
  lines.push(`Registry help: ${support}`);
  return `${lines.join('\n')}\n`;
}
