/**
 * The storage console: a single page, routes in the URL's hash (the service serves one document at /console).
 *   #/                Apillon buckets          #/b/<uuid>[?dir=&path=]  a bucket's folder
 *   #/b/<uuid>/ipns   a bucket's IPNS names    #/q, #/q/<name>           Quantum buckets, one bucket
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { clearSession, loadSession, type Session } from './api';
import { BucketPage } from './pages/bucket';
import { Buckets } from './pages/buckets';
import { IpnsPage } from './pages/ipns';
import { QuantumBucket, QuantumBuckets } from './pages/quantum';
import { SignIn } from './pages/signin';
import './style.css';

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const changed = () => setHash(location.hash);
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return hash;
}

function Route({ session, hash }: { session: Session; hash: string }) {
  const [route = '', query = ''] = hash.replace(/^#/, '').split('?');
  const parts = route.split('/').filter(Boolean).map(decodeURIComponent);
  if (session.kind === 'quantum') {
    if (parts[0] === 'q' && parts[1]) return <QuantumBucket session={session} bucket={parts[1]} />;
    return <QuantumBuckets session={session} />;
  }
  if (parts[0] === 'b' && parts[1] && parts[2] === 'ipns') return <IpnsPage session={session} bucketUuid={parts[1]} />;
  if (parts[0] === 'b' && parts[1]) {
    const params = new URLSearchParams(query);
    return <BucketPage key={`${parts[1]}:${params.get('dir')}`} session={session} place={{ bucketUuid: parts[1], directoryUuid: params.get('dir') ?? undefined, path: params.get('path') ?? '' }} />;
  }
  return <Buckets session={session} />;
}

function App() {
  const [session, setSession] = useState<Session | null>(loadSession);
  const hash = useHash();
  if (!session) return <SignIn onSignedIn={setSession} />;
  const signOut = () => {
    clearSession();
    setSession(null);
    location.hash = '';
  };
  return (
    <>
      <header>
        <strong>Storage console</strong>
        <nav aria-label="Main">
          {session.kind === 'apillon' ? <a href="#/">Buckets</a> : <a href="#/q">Quantum buckets</a>}
          <a href="../docs" target="_blank" rel="noopener">
            API reference
          </a>
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        </nav>
      </header>
      <Route session={session} hash={hash} />
    </>
  );
}

render(<App />, document.getElementById('app')!);
