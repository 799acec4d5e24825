/**
 * One Apillon bucket: a folder's directories and files (status, size, CIDv1/CIDv0 with copy buttons, gateway
 * links), delete, and uploads by drag-and-drop (files and whole folders) or pickers, with per-file progress and
 * status moving 1→4 live.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { apillon, formatBytes, statusLabel, type Bucket, type ContentItem, type Page, type Session } from '../api';
import { Copy, Empty, ErrorBox, Loading, useAction, useData } from '../ui';
import { filesOfDrop, filesOfInput, POLL_INTERVAL_MS, uploadFiles, type PickedFile, type UploadRow } from '../upload';

export interface BucketPlace {
  readonly bucketUuid: string;
  /** The folder being viewed (absent: the root) and its path inside the bucket. */
  readonly directoryUuid?: string;
  readonly path: string;
}

export const placeHref = (place: BucketPlace) =>
  `#/b/${place.bucketUuid}${place.directoryUuid ? `?dir=${encodeURIComponent(place.directoryUuid)}&path=${encodeURIComponent(place.path)}` : ''}`;

export function BucketPage({ session, place }: { session: Session; place: BucketPlace }) {
  const base = `/storage/buckets/${encodeURIComponent(place.bucketUuid)}`;
  const [showDeleted, setShowDeleted] = useState(false);
  const bucket = useData(() => apillon<Bucket>(session, 'GET', base), [session, place.bucketUuid]);
  const listing = useData(
    () =>
      apillon<Page<ContentItem>>(
        session,
        'GET',
        // Files marked for deletion are listed for the whole bucket (the API takes no folder with that filter).
        showDeleted ? `${base}/content?limit=1000&markedForDeletion=true` : `${base}/content?limit=1000${place.directoryUuid ? `&directoryUuid=${encodeURIComponent(place.directoryUuid)}` : ''}`,
      ),
    [session, place.bucketUuid, place.directoryUuid, showDeleted],
  );
  const [uploads, setUploads] = useState<UploadRow[]>([]);
  const [uploading, setUploading] = useState(false);
  const remove = useAction();
  const stop = useRef<AbortController>();
  useEffect(() => () => stop.current?.abort(), []);

  // Live status: while a listed file is short of 4 (and not failed), the folder is read again.
  const unsettled = listing.data?.items.some((item) => item.type === 2 && item.status !== 8 && (item.fileStatus ?? 0) < 4) ?? false;
  useEffect(() => {
    if (!unsettled || listing.loading) return;
    const timer = setTimeout(listing.reload, POLL_INTERVAL_MS);
    return () => clearTimeout(timer);
  }, [unsettled, listing.loading, listing.data]);

  const start = async (picked: PickedFile[]) => {
    if (picked.length === 0 || uploading) return;
    stop.current?.abort();
    stop.current = new AbortController();
    setUploading(true);
    let lastListing = 0;
    await uploadFiles(
      session,
      place.bucketUuid,
      place.path,
      picked,
      (rows) => {
        setUploads(rows);
        // New files and folders appear in the listing as they arrive (at most once a second).
        if (Date.now() - lastListing > 1000) {
          lastListing = Date.now();
          listing.reload();
        }
      },
      stop.current.signal,
    );
    setUploading(false);
    listing.reload();
    bucket.reload();
  };

  const [dragging, setDragging] = useState(false);
  const onDrop = async (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    if (event.dataTransfer) await start(await filesOfDrop(event.dataTransfer));
  };
  const onPick = (event: Event) => {
    const input = event.currentTarget as HTMLInputElement;
    const picked = input.files ? filesOfInput(input.files) : [];
    input.value = '';
    void start(picked);
  };

  const deleteItem = (item: ContentItem) =>
    remove.run(async () => {
      const what = item.type === 1 ? `the folder “${item.name}” and every file in it` : `“${item.name}”`;
      if (!confirm(`Delete ${what}? Files are marked for deletion and purged after 90 days.`)) return;
      await apillon(session, 'DELETE', item.type === 1 ? `${base}/directories/${encodeURIComponent(item.uuid)}` : `${base}/files/${encodeURIComponent(item.uuid)}`);
      listing.reload();
      bucket.reload();
    });

  const crumbs = place.path ? place.path.split('/') : [];
  const done = uploads.filter((row) => row.phase === 'done').length;
  const failed = uploads.filter((row) => row.phase === 'failed').length;
  return (
    <main>
      <nav aria-label="Breadcrumbs" class="crumbs">
        <a href="#/">Buckets</a> / <a href={`#/b/${place.bucketUuid}`}>{bucket.data?.name ?? 'bucket'}</a>
        {crumbs.map((name, i) => (
          <span key={i}> / {i === crumbs.length - 1 ? <strong>{name}</strong> : name}</span>
        ))}
      </nav>
      <h1>{bucket.data?.name ?? 'Bucket'}</h1>
      <ErrorBox error={bucket.error} retry={bucket.reload} />
      {bucket.data && (
        <p class="muted">
          {formatBytes(bucket.data.size)} of {formatBytes(bucket.data.maxSize)} used · {bucket.data.public ? 'files served by the public gateway' : 'private: no gateway links'} ·{' '}
          <a href={`#/b/${place.bucketUuid}/ipns`}>IPNS names</a>
        </p>
      )}

      <section
        class={`dropzone${dragging ? ' over' : ''}`}
        aria-label="Upload"
        data-testid="dropzone"
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <p>
          Drop files or folders here to upload them into <strong>{place.path || 'the root'}</strong>, or
        </p>
        <label class="button">
          choose files <input type="file" multiple onChange={onPick} class="visually-hidden" data-testid="pick-files" />
        </label>{' '}
        <label class="button">
          choose a folder <input type="file" multiple {...{ webkitdirectory: '' }} onChange={onPick} class="visually-hidden" data-testid="pick-folder" />
        </label>
      </section>

      {uploads.length > 0 && (
        <section aria-label="Uploads" class="uploads">
          <h2>
            Uploads: <span data-testid="uploads-done">{done}</span> of {uploads.length} at status 4{failed > 0 && `, ${failed} failed`}
            {uploading && ' …'}
          </h2>
          <ul>
            {uploads.map((row) => (
              <li key={row.key} class={row.phase}>
                <span class="name">{row.path ? `${row.path}/` : ''}{row.name}</span>
                <progress max={1} value={row.progress} aria-label={`${row.name} sent`} />
                <span class="status">{row.phase === 'failed' ? `failed: ${row.error}` : row.phase === 'waiting' ? 'waiting' : row.phase === 'uploading' ? `${Math.round(row.progress * 100)} %` : statusLabel(row.fileStatus)}</span>
              </li>
            ))}
          </ul>
        </section>
      )}

      <section aria-label="Content">
        <h2>{showDeleted ? 'Files marked for deletion (whole bucket)' : place.path ? place.path : 'Root folder'}</h2>
        <label class="check">
          <input type="checkbox" checked={showDeleted} onChange={(event) => setShowDeleted((event.currentTarget as HTMLInputElement).checked)} /> show files marked for deletion
        </label>
        <ErrorBox error={listing.error} retry={listing.reload} />
        <ErrorBox error={remove.error} />
        {!listing.data && listing.loading && <Loading what="content" />}
        {listing.data && listing.data.items.length === 0 && <Empty>{showDeleted ? 'Nothing in this bucket is marked for deletion.' : 'This folder is empty: drop files above.'}</Empty>}
        {listing.data && listing.data.items.length > 0 && (
          <div class="scroll">
            <table class="content">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Status</th>
                  <th>Size</th>
                  <th>CID (v1 / v0)</th>
                  <th>Actions</th>
                </tr>
              </thead>
              <tbody>
                {listing.data.items.map((item) => (
                  <tr key={item.uuid} data-file-status={item.fileStatus ?? ''}>
                    <td>
                      {item.type === 1 ? (
                        <a href={placeHref({ bucketUuid: place.bucketUuid, directoryUuid: item.uuid, path: place.path ? `${place.path}/${item.name}` : item.name })} class="folder">{item.name}/</a>
                      ) : (
                        item.name
                      )}
                    </td>
                    <td class="status" data-label="Status">{item.type === 2 ? statusLabel(item.fileStatus, item.status) : item.status === 8 ? 'deleted' : 'folder'}</td>
                    <td data-label="Size">{item.type === 2 ? formatBytes(item.size) : ''}</td>
                    <td class="cids" data-label="CID">
                      <Copy value={item.CIDv1} label={`CIDv1 of ${item.name}`} />
                      <Copy value={item.CIDv0} label={`CIDv0 of ${item.name}`} />
                    </td>
                    <td class="actions">
                      {item.link && (
                        <a href={item.link} target="_blank" rel="noopener noreferrer" data-testid="gateway-link">
                          open on gateway
                        </a>
                      )}
                      {item.status !== 8 && (
                        <button type="button" class="danger small" onClick={() => void deleteItem(item)} aria-label={`Delete ${item.name}`}>
                          Delete
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <p class="muted">Deleted files are purged after 90 days; the API has no route that restores one.</p>
      </section>
    </main>
  );
}
