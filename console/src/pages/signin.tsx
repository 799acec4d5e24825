/** Sign-in: an Apillon API key + secret, or a Quantum master key, checked against the API, kept in sessionStorage. */
import { useState } from 'preact/hooks';
import { apillon, quantum, saveSession, type Session } from '../api';
import { ErrorBox, useAction } from '../ui';

export function SignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [kind, setKind] = useState<'apillon' | 'quantum'>('apillon');
  const action = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const session: Session =
      kind === 'apillon'
        ? { kind, apiKey: String(form.get('apiKey') ?? '').trim(), apiSecret: String(form.get('apiSecret') ?? '') }
        : { kind, masterKey: String(form.get('masterKey') ?? '').trim() };
    void action.run(async () => {
      // A credential is good when the surface answers with it.
      if (session.kind === 'apillon') await apillon(session, 'GET', '/storage/info');
      else await quantum(session, 'GET', '/API/bucket');
      saveSession(session);
      onSignedIn(session);
    });
  };
  return (
    <main class="signin">
      <h1>Storage console</h1>
      <div role="tablist" class="tabs" aria-label="Credential">
        <button type="button" role="tab" aria-selected={kind === 'apillon'} onClick={() => setKind('apillon')}>
          API key (Apillon)
        </button>
        <button type="button" role="tab" aria-selected={kind === 'quantum'} onClick={() => setKind('quantum')}>
          Master key (Quantum)
        </button>
      </div>
      <form onSubmit={submit} aria-label="Sign in">
        {kind === 'apillon' ? (
          <>
            <label>
              API key <input name="apiKey" autocomplete="username" required />
            </label>
            <label>
              API secret <input name="apiSecret" type="password" autocomplete="current-password" required />
            </label>
          </>
        ) : (
          <label>
            Master key <input name="masterKey" type="password" autocomplete="current-password" required />
          </label>
        )}
        <button type="submit" disabled={action.busy}>
          {action.busy ? 'Signing in…' : 'Sign in'}
        </button>
        <ErrorBox error={action.error} />
      </form>
      <p class="muted">
        Kept in this tab only (sessionStorage): closing the tab signs you out. <a href="../docs">API reference</a>
      </p>
    </main>
  );
}
