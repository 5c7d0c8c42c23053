// "Forgot password?": no one can read a registry password back, so the app says who can reset it and
// how to reach them, in the registry's own words.
import { useEffect, useId, useRef, useState } from 'react';
import type { CallResults, ProfileSummary } from '../../../shared/contract';
import { supportLines } from '../passwords';
import { registry, safely } from '../registry';
import { InfoIcon } from './Icons';
import { CloseFooter, Modal } from './Modal';

type Advice = Extract<CallResults['forgotPassword'], { ok: true }>;

export function ForgotPasswordDialog({ profile, onClose }: { profile: ProfileSummary; onClose: () => void }) {
  const [advice, setAdvice] = useState<Advice | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const closeRef = useRef<HTMLButtonElement>(null);
  const textId = useId();

  useEffect(() => {
    let current = true;
    void (async () => {
      const result = await safely(() => registry().forgotPassword({ profileId: profile.id }));
      if (!current) return;
      if (result.ok) setAdvice(result);
      else setProblem(result.message);
    })();
    return () => {
      current = false;
    };
  }, [profile.id]);

  return (
    <Modal
      title={
        <>
          <InfoIcon /> Forgot your password?
        </>
      }
      onEscape={onClose}
      initialFocus={closeRef}
      describedBy={textId}
      className="forgot-dialog"
    >
      <div id={textId} className="modal-body" aria-busy={advice === null && problem === null}>
        {advice ? (
          <>
            <p>{advice.message}</p>
            <dl className="support-facts" aria-label={`Who can reset a ${profile.name} password`}>
              {supportLines(advice.support).map((line) => (
                <div key={line.label} className="support-fact">
                  <dt>{line.label}</dt>
                  <dd>{line.value}</dd>
                </div>
              ))}
              {advice.webPageUrl ? (
                <div className="support-fact">
                  <dt>Web page</dt>
                  <dd>{advice.webPageUrl}</dd>
                </div>
              ) : null}
            </dl>
          </>
        ) : problem ? (
          <p className="field-error" role="alert">
            {problem}
          </p>
        ) : (
          <p className="busy">
            <span className="spinner" aria-hidden="true" />
            Looking up who can help…
          </p>
        )}
      </div>
      <CloseFooter closeRef={closeRef} onClose={onClose} primary divided={false} />
    </Modal>
  );
}
