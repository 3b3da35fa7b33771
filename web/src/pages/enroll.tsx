/**
 * Enroll: a photo, several, or a whole folder under one subject (new or existing), one request
 * per photo (POST /register), with progress and a summary of what failed and why. A photo the
 * gallery already holds (same bytes) is reported, not stored twice.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { reasonOf, seg, type Api } from '../api.js';
import { ErrorNotice } from '../components/notice.js';
import { PhotoPicker } from '../components/photo-picker.js';
import type { RegisterResponse, SubjectsResponse } from '../types.js';

const IMAGE_NAME = /\.(jpe?g|png|webp|gif|tiff?|avif|heic)$/i;

interface Outcome {
  readonly file: string;
  readonly status: 'enrolled' | 'already-enrolled' | 'failed' | 'skipped';
  readonly reason?: string;
  readonly message?: string;
}

type MultipleFaces = 'error' | 'largest';

export function EnrollPage({ api, gallery }: { api: Api; gallery: string }) {
  const [subject, setSubject] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const [multiple, setMultiple] = useState<MultipleFaces>('error');
  const [known, setKnown] = useState<readonly string[]>([]);
  const [progress, setProgress] = useState<{ done: number; total: number } | undefined>(undefined);
  const [outcomes, setOutcomes] = useState<Outcome[] | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const running = useRef<AbortController | undefined>(undefined);

  useEffect(() => {
    api.get<SubjectsResponse>(`/galleries/${seg(gallery)}/subjects`).then(
      (reply) => setKnown(reply.subjects.map((s) => s.subject)),
      () => setKnown([]),
    );
    return () => running.current?.abort();
  }, [api, gallery]);

  const busy = progress !== undefined && outcomes === undefined;

  async function enroll(event: Event) {
    event.preventDefault();
    const name = subject.trim();
    if (name === '' || files.length === 0) return;
    const controller = new AbortController();
    running.current = controller;
    setError(undefined);
    setOutcomes(undefined);
    const results: Outcome[] = [];
    setProgress({ done: 0, total: files.length });
    for (const file of files) {
      if (controller.signal.aborted) break;
      const label = file.webkitRelativePath || file.name;
      if (!file.type.startsWith('image/') && !IMAGE_NAME.test(file.name)) {
        results.push({ file: label, status: 'skipped', reason: 'not an image' });
      } else {
        const form = new FormData();
        form.append('img', file, file.name);
        form.append('img_name', name);
        form.append('gallery', gallery);
        form.append('on_multiple_faces', multiple);
        try {
          const reply = await api.post<RegisterResponse>('/register', form, controller.signal);
          results.push(
            reply.status === 'enrolled'
              ? { file: label, status: 'enrolled' }
              : { file: label, status: 'already-enrolled', message: `already in the gallery as “${reply.img_name}”` },
          );
        } catch (err) {
          if ((err as Error).name === 'AbortError') break;
          const reason = reasonOf(err);
          // Anything but a problem with this one photo (the key, the server, the store) stops the batch.
          if (reason === 'failed') {
            setError(err);
            break;
          }
          results.push({ file: label, status: 'failed', reason, message: (err as Error).message });
        }
      }
      setProgress({ done: results.length, total: files.length });
    }
    setOutcomes(results);
    if (results.some((r) => r.status === 'enrolled')) setKnown((names) => (names.includes(name) ? names : [...names, name].sort()));
  }

  return (
    <section aria-labelledby="enroll-title">
      <h2 id="enroll-title">Enroll</h2>
      <p class="muted">Add photos of one person to the gallery “{gallery}”. Each photo should show that person's face alone.</p>
      <form class="stack" onSubmit={enroll}>
        <label>
          Subject (new or existing)
          <input name="subject" list="enroll-subjects" required autocomplete="off" value={subject} onInput={(e) => setSubject(e.currentTarget.value)} />
          <datalist id="enroll-subjects">
            {known.map((name) => (
              <option key={name} value={name} />
            ))}
          </datalist>
        </label>
        <PhotoPicker
          name="enroll"
          label="Photos"
          multiple
          folder
          disabled={busy}
          onFiles={(picked) => {
            setFiles(picked);
            setOutcomes(undefined);
            setProgress(undefined);
          }}
        />
        <p class="muted" aria-live="polite">
          {files.length === 0 ? 'No photo chosen yet.' : `${files.length} ${files.length === 1 ? 'file' : 'files'} chosen: ${files.slice(0, 3).map((f) => f.name).join(', ')}${files.length > 3 ? '…' : ''}`}
        </p>
        <label>
          A photo with several faces
          <select value={multiple} onChange={(e) => setMultiple(e.currentTarget.value as MultipleFaces)}>
            <option value="error">is refused</option>
            <option value="largest">enrolls its largest face</option>
          </select>
        </label>
        <div class="row">
          <button type="submit" disabled={busy || files.length === 0 || subject.trim() === ''}>
            Enroll {files.length > 0 ? files.length : ''} {files.length === 1 ? 'photo' : 'photos'}
          </button>
          {busy && (
            <button type="button" class="secondary" onClick={() => running.current?.abort()}>
              Stop
            </button>
          )}
        </div>
      </form>
      {progress && (
        <div class="progress">
          <progress max={progress.total} value={progress.done} aria-label="Enrollment progress" />
          <span role="status">
            {progress.done} of {progress.total} photos
          </span>
        </div>
      )}
      <ErrorNotice error={error} context="Enrollment stopped" />
      {outcomes && <Summary outcomes={outcomes} subject={subject.trim()} />}
    </section>
  );
}

function Summary({ outcomes, subject }: { outcomes: readonly Outcome[]; subject: string }) {
  const count = (status: Outcome['status']) => outcomes.filter((o) => o.status === status).length;
  const failures = outcomes.filter((o) => o.status === 'failed' || o.status === 'skipped');
  const byReason = new Map<string, number>();
  for (const f of failures) byReason.set(f.reason ?? 'failed', (byReason.get(f.reason ?? 'failed') ?? 0) + 1);
  return (
    <div class="summary" data-testid="enroll-summary">
      <h3>Summary</h3>
      <p role="status">
        {count('enrolled')} enrolled under “{subject}”, {count('already-enrolled')} already enrolled, {failures.length} not enrolled
        {byReason.size > 0 && ` (${[...byReason].map(([reason, n]) => `${n} ${reason}`).join(', ')})`}.
      </p>
      {outcomes.length > 0 && (
        <ul class="outcomes">
          {outcomes.map((o, i) => (
            <li key={i} class={o.status}>
              <span class="file">{o.file}</span>: {o.status === 'enrolled' ? 'enrolled' : o.status === 'already-enrolled' ? o.message : `${o.reason}${o.message ? ` — ${o.message}` : ''}`}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
