/** Apillon buckets: the account's usage against its quota, each bucket's size against its limit, create. */
import { apillon, formatBytes, type Bucket, type Page, type Session, type StorageInfo } from '../api';
import { Empty, ErrorBox, Loading, useAction, useData } from '../ui';

function Usage({ used, total, label }: { used: number; total: number; label: string }) {
  const percent = total > 0 ? Math.min(100, (used / total) * 100) : 0;
  return (
    <div class="usage">
      <progress max={100} value={percent} aria-label={label} />
      <span>
        {formatBytes(used)} of {formatBytes(total)} ({percent.toFixed(percent < 10 ? 1 : 0)} %)
      </span>
    </div>
  );
}

export function Buckets({ session }: { session: Session }) {
  const info = useData(() => apillon<StorageInfo>(session, 'GET', '/storage/info'), [session]);
  const buckets = useData(() => apillon<Page<Bucket>>(session, 'GET', '/storage/buckets?limit=100'), [session]);
  const create = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    const formElement = event.currentTarget as HTMLFormElement;
    const form = new FormData(formElement);
    void create.run(async () => {
      await apillon(session, 'POST', '/storage/buckets', { name: String(form.get('name')).trim(), description: String(form.get('description') ?? '').trim() || null });
      formElement.reset();
      buckets.reload();
      info.reload();
    });
  };
  return (
    <main>
      <h1>Buckets</h1>
      <section aria-label="Storage used">
        <h2>Storage used</h2>
        {info.data ? <Usage used={info.data.usedStorage} total={info.data.totalStorage} label="Account storage used" /> : info.error ? <ErrorBox error={info.error} retry={info.reload} /> : <Loading what="usage" />}
      </section>
      <section aria-label="New bucket">
        <h2>New bucket</h2>
        <form class="inline" onSubmit={submit}>
          <label>
            Name <input name="name" required maxLength={255} />
          </label>
          <label>
            Description <input name="description" maxLength={1000} />
          </label>
          <button type="submit" disabled={create.busy}>
            Create bucket
          </button>
        </form>
        <ErrorBox error={create.error} />
      </section>
      <section aria-label="Your buckets">
        <h2>Your buckets</h2>
        <ErrorBox error={buckets.error} retry={buckets.reload} />
        {!buckets.data && buckets.loading && <Loading what="buckets" />}
        {buckets.data && buckets.data.items.length === 0 && <Empty>No buckets yet: create one above.</Empty>}
        {buckets.data && buckets.data.items.length > 0 && (
          <div class="scroll">
            <table>
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Size / limit</th>
                  <th>Access</th>
                  <th>Created</th>
                </tr>
              </thead>
              <tbody>
                {buckets.data.items.map((bucket) => (
                  <tr key={bucket.bucketUuid}>
                    <td>
                      <a href={`#/b/${bucket.bucketUuid}`}>{bucket.name}</a>
                      {bucket.description && <div class="muted">{bucket.description}</div>}
                      <div>
                        <a class="muted" href={`#/b/${bucket.bucketUuid}/ipns`}>
                          IPNS names
                        </a>
                      </div>
                    </td>
                    <td>
                      <Usage used={bucket.size} total={bucket.maxSize} label={`${bucket.name} used`} />
                    </td>
                    <td>{bucket.markedForDeletion ? 'marked for deletion' : bucket.public ? 'public gateway' : 'private'}</td>
                    <td>{new Date(bucket.createTime).toLocaleString()}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <p class="muted">The Apillon API has no route that deletes a bucket; a master key (Quantum) can remove one by name.</p>
      </section>
    </main>
  );
}
