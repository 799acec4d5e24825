/**
 * Quantum (master key): buckets (create, remove), space left, and per bucket: upload through the API (multipart,
 * ≤10 MB a request), folders, remove, one-time download tokens, application tokens. The Quantum API lists no files.
 */
import { useState } from 'preact/hooks';
import { formatBytes, quantum, seg, type Session } from '../api';
import { Copy, Empty, ErrorBox, Loading, useAction, useData } from '../ui';

/** A location inside a bucket, each segment encoded. */
const locationPath = (location: string) => location.split('/').filter(Boolean).map(seg).join('/');

export function QuantumBuckets({ session }: { session: Session }) {
  const buckets = useData(() => quantum<{ Buckets: string[] }>(session, 'GET', '/API/bucket'), [session]);
  const quota = useData(() => quantum<{ space_left: number }>(session, 'GET', '/API/file/quota'), [session]);
  const action = useAction();
  const create = (event: Event) => {
    event.preventDefault();
    const formElement = event.currentTarget as HTMLFormElement;
    const name = String(new FormData(formElement).get('name')).trim();
    void action.run(async () => {
      await quantum(session, 'POST', `/API/bucket/create/${seg(name)}`);
      formElement.reset();
      buckets.reload();
    });
  };
  const remove = (name: string) =>
    action.run(async () => {
      if (!confirm(`Remove the bucket “${name}” with all its files, folders and tokens?`)) return;
      await quantum(session, 'POST', `/API/bucket/remove/${seg(name)}`);
      buckets.reload();
      quota.reload();
    });
  const list = buckets.data?.data.Buckets;
  return (
    <main>
      <h1>Quantum buckets</h1>
      <p>{quota.data ? <>Space left: {formatBytes(quota.data.data.space_left)}</> : quota.error ? <ErrorBox error={quota.error} /> : <Loading what="quota" />}</p>
      <section aria-label="New bucket">
        <h2>New bucket</h2>
        <form class="inline" onSubmit={create}>
          <label>
            Name <input name="name" required maxLength={255} />
          </label>
          <button type="submit" disabled={action.busy}>
            Create bucket
          </button>
        </form>
      </section>
      <ErrorBox error={action.error} />
      <section aria-label="Buckets">
        <h2>Buckets</h2>
        <ErrorBox error={buckets.error} retry={buckets.reload} />
        {!list && buckets.loading && <Loading what="buckets" />}
        {list && list.length === 0 && <Empty>No buckets yet.</Empty>}
        {list && list.length > 0 && (
          <ul class="list">
            {list.map((name) => (
              <li key={name}>
                <a href={`#/q/${seg(name)}`}>{name}</a>{' '}
                <button type="button" class="danger small" onClick={() => void remove(name)} aria-label={`Remove bucket ${name}`}>
                  Remove
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
    </main>
  );
}

export function QuantumBucket({ session, bucket }: { session: Session; bucket: string }) {
  const action = useAction();
  const [message, setMessage] = useState<string>();
  const [downloads, setDownloads] = useState<{ location: string; token: string }[]>([]);
  const [tokens, setTokens] = useState<string[]>([]);
  const done = (text: string) => setMessage(text);
  const formOf = (event: Event) => {
    event.preventDefault();
    return new FormData(event.currentTarget as HTMLFormElement);
  };

  const upload = (event: Event) => {
    const form = formOf(event);
    const location = String(form.get('location') ?? '');
    const body = new FormData();
    for (const file of form.getAll('files')) if (file instanceof File && file.name) body.append('files', file, file.name);
    body.append('force', form.get('force') ? 'true' : 'false');
    void action.run(async () => {
      const answer = await quantum(session, 'POST', `/API/file/add/${seg(bucket)}${location ? `/${locationPath(location)}` : ''}`, body);
      done(answer.message);
    });
  };
  const mkdir = (event: Event) => {
    const location = String(formOf(event).get('location'));
    void action.run(async () => done((await quantum(session, 'POST', `/API/file/mkdir/${seg(bucket)}/${locationPath(location)}`)).message));
  };
  const remove = (event: Event) => {
    const location = String(formOf(event).get('location'));
    void action.run(async () => {
      if (!confirm(`Remove “${location}” (a folder with everything in it)?`)) return;
      done((await quantum(session, 'POST', `/API/file/remove/${seg(bucket)}/${locationPath(location)}`)).message);
    });
  };
  const token = (event: Event) => {
    const location = String(formOf(event).get('location'));
    void action.run(async () => {
      const answer = await quantum<{ file_token: string }>(session, 'GET', `/API/file/get/${seg(bucket)}/${locationPath(location)}`);
      setDownloads((old) => [{ location, token: answer.data.file_token }, ...old]);
    });
  };
  const createToken = () =>
    action.run(async () => {
      const answer = await quantum<{ token: string }>(session, 'POST', `/API/token/create/${seg(bucket)}`);
      setTokens((old) => [answer.data.token, ...old]);
    });
  const removeToken = (value: string) =>
    action.run(async () => {
      done((await quantum(session, 'POST', `/API/token/remove/${seg(value)}`)).message);
      setTokens((old) => old.filter((t) => t !== value));
    });
  const removeAllTokens = () =>
    action.run(async () => {
      if (!confirm(`Remove every application token of “${bucket}”?`)) return;
      done((await quantum(session, 'POST', `/API/token/remove/b/${seg(bucket)}`)).message);
      setTokens([]);
    });

  return (
    <main>
      <nav aria-label="Breadcrumbs" class="crumbs">
        <a href="#/q">Quantum buckets</a> / <strong>{bucket}</strong>
      </nav>
      <h1>{bucket}</h1>
      <p class="muted">The Quantum API has no listing of a bucket's files; files stored through the Apillon API are listed on its pages.</p>
      <ErrorBox error={action.error} />
      {message && (
        <p class="state ok" role="status">
          {message}
        </p>
      )}
      <section aria-label="Upload">
        <h2>Upload (through the API, at most 10 MB a request)</h2>
        <form class="inline" onSubmit={upload}>
          <label>
            Files <input type="file" name="files" multiple required />
          </label>
          <label>
            Folder <input name="location" placeholder="docs/2026" />
          </label>
          <label class="check">
            <input type="checkbox" name="force" /> overwrite
          </label>
          <button type="submit" disabled={action.busy}>
            Upload
          </button>
        </form>
      </section>
      <section aria-label="Folders and files">
        <h2>Folders and files</h2>
        <form class="inline" onSubmit={mkdir}>
          <label>
            New folder <input name="location" required />
          </label>
          <button type="submit" disabled={action.busy}>
            Create folder
          </button>
        </form>
        <form class="inline" onSubmit={remove}>
          <label>
            Remove file or folder <input name="location" required />
          </label>
          <button type="submit" class="danger" disabled={action.busy}>
            Remove
          </button>
        </form>
      </section>
      <section aria-label="Download tokens">
        <h2>One-time download links</h2>
        <form class="inline" onSubmit={token}>
          <label>
            File <input name="location" required placeholder="docs/report.pdf" />
          </label>
          <button type="submit" disabled={action.busy}>
            Get a link
          </button>
        </form>
        {downloads.length === 0 ? (
          <Empty>A link works once; using it, or changing the file, ends every other link to that file.</Empty>
        ) : (
          <ul class="list">
            {downloads.map((d) => (
              <li key={d.token}>
                {d.location}:{' '}
                <a href={`/API/file/download/${seg(d.token)}`} rel="noopener noreferrer">
                  download
                </a>{' '}
                <Copy value={`${location.origin}/API/file/download/${seg(d.token)}`} label={`download link of ${d.location}`} />
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-label="Application tokens">
        <h2>Application tokens</h2>
        <p class="muted">A token reads and writes this bucket only (header X-API-AKEY). It is shown once.</p>
        <button type="button" onClick={() => void createToken()} disabled={action.busy}>
          New token
        </button>{' '}
        <button type="button" class="danger" onClick={() => void removeAllTokens()} disabled={action.busy}>
          Remove every token of this bucket
        </button>
        <ul class="list">
          {tokens.map((value) => (
            <li key={value}>
              <Copy value={value} label="application token" />{' '}
              <button type="button" class="danger small" onClick={() => void removeToken(value)}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      </section>
    </main>
  );
}
