/**
 * Subjects: the gallery's people with their face counts, a filter, and the three changes the
 * gallery routes offer — rename, merge into another subject (cannot be undone), and erase (every
 * face deleted and the files rewritten: nothing can be recovered). Each change asks first, in a
 * modal dialog that says what it will do.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { seg, type Api } from '../api.js';
import { ErrorNotice, Status } from '../components/notice.js';
import type { SubjectChangeResponse, SubjectsResponse } from '../types.js';

type Subject = SubjectsResponse['subjects'][number];
type Action = { readonly kind: 'rename' | 'merge' | 'erase'; readonly subject: Subject };

export function SubjectsPage({ api, gallery }: { api: Api; gallery: string }) {
  const [subjects, setSubjects] = useState<readonly Subject[] | undefined>(undefined);
  const [filter, setFilter] = useState('');
  const [action, setAction] = useState<Action | undefined>(undefined);
  const [done, setDone] = useState<string | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);

  const load = useCallback(async () => {
    try {
      setSubjects((await api.get<SubjectsResponse>(`/galleries/${seg(gallery)}/subjects`)).subjects);
    } catch (err) {
      setError(err);
    }
  }, [api, gallery]);

  useEffect(() => {
    setSubjects(undefined);
    void load();
  }, [load]);

  const shown = subjects?.filter((s) => s.subject.toLowerCase().includes(filter.trim().toLowerCase())) ?? [];

  return (
    <section aria-labelledby="subjects-title">
      <h2 id="subjects-title">Subjects</h2>
      <p class="muted">The people of the gallery “{gallery}” and how many faces each has.</p>
      <label class="filter">
        Find a subject
        <input type="search" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
      </label>
      {done && <Status>{done}</Status>}
      <ErrorNotice error={error} />
      {subjects === undefined && !error && <p class="muted">Loading…</p>}
      {subjects && subjects.length === 0 && <p>No subject is enrolled in this gallery yet.</p>}
      {subjects && subjects.length > 0 && (
        <table class="subjects">
          <caption class="visually-hidden">Subjects of the gallery {gallery}</caption>
          <thead>
            <tr>
              <th scope="col">Subject</th>
              <th scope="col">Faces</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {shown.map((s) => (
              <tr key={s.subject} data-subject={s.subject}>
                <td>{s.subject}</td>
                <td>{s.faces}</td>
                <td class="actions">
                  <button type="button" class="secondary" onClick={() => setAction({ kind: 'rename', subject: s })} aria-label={`Rename ${s.subject}`}>
                    Rename
                  </button>
                  <button type="button" class="secondary" disabled={subjects.length < 2} onClick={() => setAction({ kind: 'merge', subject: s })} aria-label={`Merge ${s.subject}`}>
                    Merge
                  </button>
                  <button type="button" class="danger" onClick={() => setAction({ kind: 'erase', subject: s })} aria-label={`Erase ${s.subject}`}>
                    Erase
                  </button>
                </td>
              </tr>
            ))}
            {shown.length === 0 && (
              <tr>
                <td colSpan={3}>No subject matches “{filter}”.</td>
              </tr>
            )}
          </tbody>
        </table>
      )}
      {action && subjects && (
        <ChangeDialog
          api={api}
          gallery={gallery}
          action={action}
          others={subjects.filter((s) => s.subject !== action.subject.subject)}
          onClose={(message) => {
            setAction(undefined);
            if (message !== undefined) {
              setError(undefined);
              setDone(message);
              void load();
            }
          }}
        />
      )}
    </section>
  );
}

function ChangeDialog({ api, gallery, action, others, onClose }: { api: Api; gallery: string; action: Action; others: readonly Subject[]; onClose: (done?: string) => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const { kind, subject } = action;
  const [name, setName] = useState(kind === 'rename' ? subject.subject : (others[0]?.subject ?? ''));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const faces = facesOf(subject.faces);

  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
  }, []);

  const path = `/galleries/${seg(gallery)}/subjects/${seg(subject.subject)}`;
  const clash = kind === 'rename' && others.some((o) => o.subject === name.trim());

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      if (kind === 'erase') {
        const reply = await api.delete<SubjectChangeResponse>(path);
        onClose(`Erased “${subject.subject}”: ${facesOf(reply.faces)} deleted permanently.`);
      } else {
        const target = name.trim();
        const reply = await api.patch<SubjectChangeResponse>(path, kind === 'merge' ? { name: target, merge: true } : { name: target });
        onClose(kind === 'merge' ? `Merged “${subject.subject}” into “${reply.subject}” (${facesOf(reply.faces)} moved).` : `Renamed “${subject.subject}” to “${reply.subject}” (${facesOf(reply.faces)}).`);
      }
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  const title = kind === 'rename' ? `Rename “${subject.subject}”` : kind === 'merge' ? `Merge “${subject.subject}” into another subject` : `Erase “${subject.subject}”?`;
  return (
    <dialog ref={dialog} aria-labelledby="change-title" onCancel={() => onClose()} onClose={() => onClose()}>
      <form method="dialog" class="stack" onSubmit={submit}>
        <h3 id="change-title">{title}</h3>
        {kind === 'rename' && (
          <label>
            New name
            <input name="new-name" required autocomplete="off" value={name} onInput={(e) => setName(e.currentTarget.value)} />
            {clash && <span class="warning">“{name.trim()}” already exists: use Merge to join the two subjects.</span>}
          </label>
        )}
        {kind === 'merge' && (
          <>
            <label>
              Into
              <select name="merge-into" value={name} onChange={(e) => setName(e.currentTarget.value)}>
                {others.map((o) => (
                  <option key={o.subject} value={o.subject}>
                    {o.subject} ({o.faces})
                  </option>
                ))}
              </select>
            </label>
            <p class="warning">
              {subject.faces === 1 ? 'The one face' : `All ${faces}`} of “{subject.subject}” become “{name}”'s. A merge cannot be undone: the two cannot be told apart afterwards.
            </p>
          </>
        )}
        {kind === 'erase' && (
          <p class="warning" data-testid="erase-warning">
            Erasure is permanent: {subject.faces === 1 ? 'the one face' : `all ${faces}`} of “{subject.subject}” {subject.faces === 1 ? 'is' : 'are'} deleted and the gallery's files rewritten, so they can never be matched, fetched or
            recovered. This cannot be undone.
          </p>
        )}
        <ErrorNotice error={error} />
        <div class="row end">
          <button type="button" class="secondary" onClick={() => onClose()} disabled={busy}>
            Cancel
          </button>
          <button type="submit" class={kind === 'rename' ? '' : 'danger'} disabled={busy || (kind !== 'erase' && (name.trim() === '' || clash || name.trim() === subject.subject))}>
            {kind === 'rename' ? 'Rename' : kind === 'merge' ? 'Merge for good' : 'Erase permanently'}
          </button>
        </div>
      </form>
    </dialog>
  );
}

function facesOf(n: number): string {
  return n === 1 ? '1 face' : `${n} faces`;
}
