// The practice registry's banner: while the window is on the registry built into the app, it says so
// in plain words (nothing sent there reaches the state), how to sign in, where the sample files are,
// and offers the real registries in one choice.
import { useId } from 'react';
import type { ProfileSummary } from '../../../shared/contract';
import { disconnect } from '../flows/connection';
import { useDispatch, useFlow, useWindow } from '../store/context';

interface PracticeBannerProps {
  profile: ProfileSummary;
  /** The sample files' folder on this computer (a place of My Computer), when the app has them. */
  samplesFolder: string | null;
}

export function PracticeBanner({ profile, samplesFolder }: PracticeBannerProps) {
  const state = useWindow();
  const dispatch = useDispatch();
  const signOut = useFlow(disconnect);
  const switchId = useId();
  const practice = profile.practice;
  if (!practice) return null;
  const realRegistries = state.profiles.filter((p) => !p.practice);
  const connected = state.connection !== null;

  const switchTo = async (profileId: string) => {
    if (!profileId) return;
    if (connected) await signOut();
    dispatch({ type: 'profile-chosen', profileId });
  };

  return (
    <section className="practice-banner" aria-label="Practice registry">
      <div className="practice-banner-text">
        <strong>Practice registry.</strong> It runs on this computer for learning and trying things out:
        nothing sent here reaches the state&rsquo;s registry, and it answers each file a few seconds after it
        lands, as a registry does overnight.
        {!connected ? (
          practice.issuedPassword !== null ? (
            <>
              {' '}
              Sign in as <strong>{practice.username}</strong> with the password it issued,{' '}
              <code className="practice-password">{practice.issuedPassword}</code>; it will ask you to choose your own.
            </>
          ) : (
            <>
              {' '}
              Sign in as <strong>{practice.username}</strong> with the password you chose.
            </>
          )
        ) : null}
      </div>
      <div className="practice-banner-actions">
        {samplesFolder ? (
          <button type="button" className="button" onClick={() => dispatch({ type: 'local-folder-wanted', path: samplesFolder })}>
            Try with a sample file
          </button>
        ) : null}
        {realRegistries.length > 0 ? (
          <label htmlFor={switchId} className="practice-switch">
            Use a real registry
            <select id={switchId} value="" onChange={(e) => void switchTo(e.target.value)} disabled={state.signIn !== null || state.disconnecting}>
              <option value="">Choose…</option>
              {realRegistries.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </label>
        ) : null}
      </div>
    </section>
  );
}
