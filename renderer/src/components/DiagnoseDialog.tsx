// "Check my connection" (issue 16): the engine's step-by-step connection check, shown as a list a
// clinic manager can read and IT can act on, with the report to copy or save for IT or the
// registry's help desk, and the registry's own help beside it (its web page, whom to call, the
// settings it recommends and how the app follows them, its purge and quota).
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { Diagnosis, DiagnosisStep, ProfileSummary, Protocol } from '../../../shared/contract';
import { registry, safely } from '../registry';
import { ErrorIcon, ExternalIcon, OkIcon, WarningIcon } from './Icons';
import { Modal } from './Modal';
import { ProblemNotice } from './ProblemNotice';

interface DiagnoseDialogProps {
  profile: ProfileSummary;
  protocol: Protocol;
  username: string | null;
  onClose: () => void;
}

const STATUS_WORDS: Record<DiagnosisStep['status'], string> = { passed: 'Passed', warning: 'Passed, with a note', failed: 'Failed', skipped: 'Not tried' };

function StepIcon({ status }: { status: DiagnosisStep['status'] }) {
  if (status === 'passed') return <OkIcon />;
  if (status === 'warning') return <WarningIcon />;
  if (status === 'failed') return <ErrorIcon />;
  return <span className="step-skipped-mark" aria-hidden="true" />;
}

export function DiagnoseDialog({ profile, protocol, username, onClose }: DiagnoseDialogProps) {
  const [diagnosis, setDiagnosis] = useState<Diagnosis | null>(null);
  const [running, setRunning] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const closeRef = useRef<HTMLButtonElement>(null);
  const ids = { intro: useId(), password: useId(), steps: useId(), help: useId() };

  const run = useCallback(async () => {
    const field = passwordRef.current;
    const password = field?.value ?? '';
    // Handed over once: the window does not keep it.
    if (field) field.value = '';
    setRunning(true);
    setProblem(null);
    setNote(null);
    const result = await safely(() =>
      registry().diagnose({ profileId: profile.id, protocol, ...(username ? { username } : {}), ...(password !== '' ? { password } : {}) }),
    );
    setRunning(false);
    if (result.ok) setDiagnosis(result.diagnosis);
    else setProblem(result.message);
  }, [profile.id, protocol, username]);

  useEffect(() => {
    void run();
  }, [run]);

  const copy = async () => {
    if (!diagnosis) return;
    try {
      await navigator.clipboard.writeText(diagnosis.report);
      setNote('The report was copied. Paste it into an e-mail to IT or to the registry’s help desk.');
    } catch {
      setNote('The report could not be copied here. Use “Save report…” instead.');
    }
  };

  const save = async () => {
    if (!diagnosis) return;
    const result = await safely(() => registry().saveDiagnosisReport({ report: diagnosis.report }));
    if (!result.ok) setNote(result.message);
    else if (result.savedAs) setNote(`Saved the report as ${result.savedAs}.`);
  };

  const openWebPage = async () => {
    const result = await safely(() => registry().openWebClient({ profileId: profile.id }));
    setNote(result.ok ? `Opened ${profile.name}’s web page in your browser.` : result.message);
  };

  const failed = diagnosis?.steps.find((s) => s.id === diagnosis.failedStep) ?? null;
  const support = profile.support;
  const net = profile.network;

  return (
    <Modal title="Check my connection" onEscape={onClose} initialFocus={closeRef} describedBy={ids.intro} wide className="diagnose-dialog">
      <div className="modal-body">
        <p id={ids.intro}>
          {profile.name} over {protocol.toUpperCase()}
          {username ? `, as ${username}` : ''}. Each step is checked in turn; nothing is uploaded and nothing is changed. A password is sent
          only to a server this computer already trusts.
        </p>

        <div className="diagnose-summary" role="status" aria-live="polite">
          {running ? (
            <span className="busy">
              <span className="spinner" aria-hidden="true" />
              Checking… this can take up to a minute when a firewall is in the way.
            </span>
          ) : diagnosis ? (
            diagnosis.passed ? (
              <span className="diagnose-verdict is-ok">
                <OkIcon /> Every step that was tried worked.
              </span>
            ) : (
              <span className="diagnose-verdict is-failed">
                <ErrorIcon /> The check stopped at “{failed?.title}”.
              </span>
            )
          ) : null}
        </div>

        <ProblemNotice text={problem} />

        {diagnosis ? (
          <ol id={ids.steps} className="diagnose-steps" aria-label="Steps of the check">
            {diagnosis.steps.map((step) => (
              <li key={step.id} className={`diagnose-step is-${step.status}`}>
                <div className="diagnose-step-head">
                  <StepIcon status={step.status} />
                  <span className="diagnose-step-title">{step.title}</span>
                  <span className="diagnose-step-status">
                    {STATUS_WORDS[step.status]}
                    {step.milliseconds !== null ? ` · ${step.milliseconds} ms` : ''}
                  </span>
                </div>
                <p className="diagnose-step-message">{step.message}</p>
                {step.askIt ? (
                  <p className="diagnose-ask">
                    <strong>What to do:</strong> {step.askIt}
                  </p>
                ) : null}
                {step.details.length > 0 ? (
                  <details className="diagnose-details">
                    <summary>Details for IT</summary>
                    <ul>
                      {step.details.map((detail) => (
                        <li key={detail}>{detail}</li>
                      ))}
                    </ul>
                  </details>
                ) : null}
              </li>
            ))}
          </ol>
        ) : null}

        {diagnosis?.wantsPassword && !running ? (
          <form
            className="field diagnose-password"
            onSubmit={(e) => {
              e.preventDefault();
              void run();
            }}
          >
            <label htmlFor={ids.password}>Password, to check the sign-in too (optional)</label>
            <input ref={passwordRef} id={ids.password} type="password" autoComplete="off" />
          </form>
        ) : null}

        <section className="registry-help" aria-labelledby={ids.help}>
          <h3 id={ids.help} className="section-title">
            Help from {profile.name}
          </h3>
          <ul>
            <li>
              {support.team}
              {support.phone ? `, ${support.phone}` : ''}
              {support.email ? `, ${support.email}` : ''}
              {support.hours ? ` (${support.hours})` : ''}. The registry helps with accounts and passwords; for the network and firewall, show this
              report to your IT.
            </li>
            <li>
              The app follows the registry’s recommended settings: a {net.timeoutSeconds}-second timeout,{' '}
              {net.retries === 0 ? 'no automatic retries' : `${net.retries} retries`}, {net.keepAlive ? 'keep-alive' : 'no keep-alive'}
              {net.disconnectAfterTransfers ? ', and it disconnects when the transfers are done' : ''}.
            </li>
            {profile.retentionDays !== null || profile.quotaFiles !== null ? (
              <li>
                {profile.retentionDays !== null ? `The registry removes files after ${profile.retentionDays} days` : ''}
                {profile.retentionDays !== null && profile.quotaFiles !== null ? ', and ' : ''}
                {profile.quotaFiles !== null ? `${profile.retentionDays !== null ? 'an' : 'An'} account holds at most ${profile.quotaFiles} files` : ''}.
              </li>
            ) : null}
          </ul>
          {profile.webClientUrl ? (
            <button type="button" className="button button-small" onClick={() => void openWebPage()}>
              <ExternalIcon />
              Open the registry’s web page
            </button>
          ) : null}
        </section>

        {note ? (
          <p className="notice" role="status">
            {note}
          </p>
        ) : null}
      </div>
      <div className="modal-actions modal-footer">
        <button type="button" className="button" onClick={() => void copy()} disabled={!diagnosis || running}>
          Copy report
        </button>
        <button type="button" className="button" onClick={() => void save()} disabled={!diagnosis || running}>
          Save report…
        </button>
        <button type="button" className="button" onClick={() => void run()} disabled={running}>
          Check again
        </button>
        <span className="actions-spacer" />
        <button ref={closeRef} type="button" className="button button-primary" onClick={onClose}>
          Close
        </button>
      </div>
    </Modal>
  );
}
