// The window: a slim toolbar, "My Computer" on the left, the registry on the right, a status line at
// the bottom, and the prompts the engine sends (one at a time).
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ConnectionInfo, IdentityRequest, ProfileSummary, Protocol, RegistryEvent, TrustAnswer } from '../../shared/contract';
import { ConnectForm } from './components/ConnectForm';
import { HostKeyDialog } from './components/HostKeyDialog';
import { ExternalIcon, ShieldIcon } from './components/Icons';
import { LocalPane } from './components/LocalPane';
import { RemoteBrowser } from './components/RemoteBrowser';
import { StatusBar, type Status } from './components/StatusBar';
import { TrustedServersDialog } from './components/TrustedServersDialog';
import { registry, safely } from './registry';

export function App() {
  const [profiles, setProfiles] = useState<ProfileSummary[]>([]);
  const [profileId, setProfileId] = useState<string | null>(null);
  const [connection, setConnection] = useState<ConnectionInfo | null>(null);
  const [connecting, setConnecting] = useState(false);
  const [disconnecting, setDisconnecting] = useState(false);
  const [progress, setProgress] = useState<string | null>(null);
  const [status, setStatus] = useState<Status>({ tone: 'idle', text: 'Not connected. Choose a registry and sign in.' });
  const [requests, setRequests] = useState<IdentityRequest[]>([]);
  const [trustedOpen, setTrustedOpen] = useState(false);
  const [version, setVersion] = useState<string | null>(null);
  const trustedButton = useRef<HTMLButtonElement>(null);

  const showProblem = useCallback((text: string) => setStatus({ tone: 'error', text }), []);
  const showInfo = useCallback((text: string) => setStatus({ tone: 'info', text }), []);

  useEffect(() => {
    const onEvent = (event: RegistryEvent) => {
      switch (event.type) {
        case 'connection':
          if (event.state === 'connecting') {
            setProgress(event.message);
            setStatus({ tone: 'busy', text: event.message });
          } else if (event.state === 'connected') {
            if (event.connection) setConnection(event.connection);
            setStatus({ tone: 'ok', text: event.message });
          } else if (event.state === 'failed') {
            setStatus({ tone: 'error', text: event.message });
          } else {
            setConnection(null);
            setStatus({ tone: 'idle', text: event.message });
          }
          break;
        case 'request':
          setRequests((queue) => (queue.some((r) => r.id === event.request.id) ? queue : [...queue, event.request]));
          break;
        case 'request-closed':
          setRequests((queue) => queue.filter((r) => r.id !== event.id));
          break;
      }
    };
    return registry().onEvent(onEvent);
  }, []);

  useEffect(() => {
    void (async () => {
      const [listed, info] = await Promise.all([safely(() => registry().listProfiles({})), safely(() => registry().getAppInfo({}))]);
      if (info.ok) setVersion(info.version);
      if (!listed.ok) {
        showProblem(listed.message);
        return;
      }
      setProfiles(listed.profiles);
      setProfileId((current) => current ?? listed.profiles[0]?.id ?? null);
    })();
  }, [showProblem]);

  const activeProfileId = connection?.profileId ?? profileId;
  const profile = useMemo(() => profiles.find((p) => p.id === activeProfileId) ?? null, [profiles, activeProfileId]);
  const registryName = connection?.profileName ?? profile?.name ?? 'Registry';

  const connect = async ({ protocol, username, password }: { protocol: Protocol; username: string; password: string }) => {
    if (!profile) return false;
    setConnecting(true);
    setProgress(`Connecting to ${profile.name}…`);
    setStatus({ tone: 'busy', text: `Connecting to ${profile.name}…` });
    const result = await safely(() => registry().connect({ profileId: profile.id, protocol, username, password }));
    setConnecting(false);
    setProgress(null);
    if (result.ok) {
      setConnection(result.connection);
      setStatus({ tone: 'ok', text: `Connected to ${result.connection.profileName} as ${result.connection.username}.` });
      return true;
    }
    setStatus({ tone: 'error', text: result.message });
    return false;
  };

  const disconnect = async () => {
    setDisconnecting(true);
    const result = await safely(() => registry().disconnect({}));
    setDisconnecting(false);
    if (result.ok) {
      setConnection(null);
      setStatus((current) => (current.tone === 'ok' || current.tone === 'busy' ? { tone: 'idle', text: 'Disconnected.' } : current));
    } else {
      showProblem(result.message);
    }
  };

  const openWebClient = async () => {
    if (!profile) return;
    const result = await safely(() => registry().openWebClient({ profileId: profile.id }));
    if (result.ok) showInfo(`Opened ${profile.name}’s web page in your browser: ${result.url}`);
    else showProblem(result.message);
  };

  const answer = async (request: IdentityRequest, value: TrustAnswer) => {
    const result = await safely(() => registry().answerRequest({ id: request.id, answer: value }));
    setRequests((queue) => queue.filter((r) => r.id !== request.id));
    if (!result.ok) showProblem(result.message);
  };

  const currentRequest = requests[0];
  const requestProfile = currentRequest ? profiles.find((p) => p.id === currentRequest.profileId) : undefined;

  return (
    <div className="app">
      <header className="toolbar">
        <div className="toolbar-title">
          <span className="app-mark" aria-hidden="true" />
          <span className="app-name">Registry Transfer</span>
          {profile ? (
            <>
              <span className="toolbar-sep" aria-hidden="true" />
              <span className="toolbar-registry" aria-label={`Registry: ${registryName}`}>
                {registryName}
              </span>
            </>
          ) : null}
        </div>
        <div className="toolbar-actions">
          {profile?.webClientUrl ? (
            <button type="button" className="button button-toolbar" onClick={() => void openWebClient()} title={profile.webClientUrl}>
              <ExternalIcon />
              Web client
            </button>
          ) : null}
          <button ref={trustedButton} type="button" className="button button-toolbar" onClick={() => setTrustedOpen(true)}>
            <ShieldIcon />
            Trusted servers
          </button>
        </div>
      </header>

      <main className="panes">
        <LocalPane onProblem={showProblem} />
        <section className="pane pane-registry" aria-label={registryName}>
          {connection ? (
            <RemoteBrowser
              key={`${connection.profileId}|${connection.username}|${connection.fingerprint}`}
              connection={connection}
              profile={profile}
              disconnecting={disconnecting}
              onDisconnect={() => void disconnect()}
              onProblem={showProblem}
              onInfo={showInfo}
            />
          ) : (
            <div className="pane-center">
              <ConnectForm
                profiles={profiles}
                profile={profile}
                onChooseProfile={setProfileId}
                connecting={connecting}
                progress={progress}
                onConnect={connect}
              />
            </div>
          )}
        </section>
      </main>

      <StatusBar status={status} version={version} />

      {currentRequest ? (
        <HostKeyDialog
          key={currentRequest.id}
          request={currentRequest}
          support={requestProfile?.support ?? null}
          onAnswer={(value) => void answer(currentRequest, value)}
        />
      ) : null}
      {trustedOpen ? <TrustedServersDialog onClose={() => setTrustedOpen(false)} onInfo={showInfo} /> : null}
    </div>
  );
}
