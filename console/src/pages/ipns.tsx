/** A bucket's IPNS names: create, publish a folder (or any CID) to one, its /ipns/ link, delete. */
import { useState } from 'preact/hooks';
import { apillon, type Bucket, type ContentItem, type IpnsName, type Page, type Session } from '../api';
import { Copy, Empty, ErrorBox, Loading, useAction, useData } from '../ui';

export function IpnsPage({ session, bucketUuid }: { session: Session; bucketUuid: string }) {
  const base = `/storage/buckets/${encodeURIComponent(bucketUuid)}`;
  const bucket = useData(() => apillon<Bucket>(session, 'GET', base), [session, bucketUuid]);
  const names = useData(() => apillon<Page<IpnsName>>(session, 'GET', `${base}/ipns?limit=100`), [session, bucketUuid]);
  // What can be published: the root's folders and files that have a CID.
  const content = useData(() => apillon<Page<ContentItem>>(session, 'GET', `${base}/content?limit=1000`), [session, bucketUuid]);
  const action = useAction();
  const publishable = (content.data?.items ?? []).filter((item) => item.CID);

  const create = (event: Event) => {
    event.preventDefault();
    const formElement = event.currentTarget as HTMLFormElement;
    const form = new FormData(formElement);
    void action.run(async () => {
      const cid = String(form.get('cid') ?? '');
      await apillon(session, 'POST', `${base}/ipns`, { name: String(form.get('name')).trim(), description: String(form.get('description') ?? '').trim() || null, ...(cid ? { cid } : {}) });
      formElement.reset();
      names.reload();
    });
  };
  return (
    <main>
      <nav aria-label="Breadcrumbs" class="crumbs">
        <a href="#/">Buckets</a> / <a href={`#/b/${bucketUuid}`}>{bucket.data?.name ?? 'bucket'}</a> / <strong>IPNS names</strong>
      </nav>
      <h1>IPNS names{bucket.data ? ` of ${bucket.data.name}` : ''}</h1>
      <section aria-label="New IPNS name">
        <h2>New name</h2>
        <form class="inline" onSubmit={create}>
          <label>
            Name <input name="name" required maxLength={255} />
          </label>
          <label>
            Description <input name="description" maxLength={1000} />
          </label>
          <CidSelect items={publishable} name="cid" optional />
          <button type="submit" disabled={action.busy}>
            Create
          </button>
        </form>
      </section>
      <ErrorBox error={action.error} />
      <section aria-label="Names">
        <h2>Names</h2>
        <ErrorBox error={names.error} retry={names.reload} />
        {!names.data && names.loading && <Loading what="IPNS names" />}
        {names.data && names.data.items.length === 0 && <Empty>No IPNS names in this bucket yet.</Empty>}
        {names.data?.items.map((item) => (
          <IpnsRow key={item.ipnsUuid} item={item} publishable={publishable} session={session} base={base} changed={names.reload} />
        ))}
      </section>
    </main>
  );
}

function CidSelect({ items, name, optional }: { items: ContentItem[]; name: string; optional?: boolean }) {
  return (
    <label>
      Points at
      <select name={name} required={!optional}>
        {optional && <option value="">(nothing yet)</option>}
        {items.map((item) => (
          <option key={item.uuid} value={item.CID!}>
            {item.name}
            {item.type === 1 ? '/' : ''}
          </option>
        ))}
      </select>
    </label>
  );
}

function IpnsRow({ item, publishable, session, base, changed }: { item: IpnsName; publishable: ContentItem[]; session: Session; base: string; changed: () => void }) {
  const action = useAction();
  const [cid, setCid] = useState('');
  const url = `${base}/ipns/${encodeURIComponent(item.ipnsUuid)}`;
  const publish = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const value = String(form.get('cid') || cid).trim();
    void action.run(async () => {
      await apillon(session, 'POST', `${url}/publish`, { cid: value });
      setCid('');
      changed();
    });
  };
  return (
    <article class="card">
      <h3>{item.name}</h3>
      {item.description && <p class="muted">{item.description}</p>}
      <dl>
        <dt>IPNS name</dt>
        <dd>
          <Copy value={item.ipnsName} label={`IPNS name ${item.name}`} />
        </dd>
        <dt>Points at</dt>
        <dd>{item.ipnsValue ? <Copy value={item.ipnsValue} label={`value of ${item.name}`} /> : <span class="muted">nothing published yet</span>}</dd>
        <dt>Link</dt>
        <dd>
          {item.link ? (
            <a href={item.link} target="_blank" rel="noopener noreferrer">
              {item.link}
            </a>
          ) : (
            '–'
          )}
        </dd>
      </dl>
      <form class="inline" onSubmit={publish}>
        <CidSelect items={publishable} name="cid" optional />
        <label>
          or CID <input value={cid} onInput={(event) => setCid((event.currentTarget as HTMLInputElement).value)} />
        </label>
        <button type="submit" disabled={action.busy}>
          Publish
        </button>
        <button
          type="button"
          class="danger"
          onClick={() =>
            void action.run(async () => {
              if (!confirm(`Delete the IPNS name “${item.name}” and its key?`)) return;
              await apillon(session, 'DELETE', url);
              changed();
            })
          }
        >
          Delete
        </button>
      </form>
      <ErrorBox error={action.error} />
    </article>
  );
}
