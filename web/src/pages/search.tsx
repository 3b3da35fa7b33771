/**
 * Search: a photo in, every face boxed, and beside each face its candidates (subject, distance,
 * confidence) and the verdict — the nearest subject within the threshold, or unknown. Exact
 * search compares with every stored face; approximate uses the HNSW index (faster at scale, may
 * miss a match).
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { Api } from '../api.js';
import { FaceImage, type LabelledBox } from '../components/face-image.js';
import { FaceThumbnail } from '../components/face-thumbnail.js';
import { ErrorNotice } from '../components/notice.js';
import { useObjectUrl } from '../components/object-url.js';
import { PhotoPicker } from '../components/photo-picker.js';
import type { SearchResponse, SearchRow } from '../types.js';

type Method = 'exact' | 'ann';

/** Candidates shown per face. */
const SHOWN = 5;

export function SearchPage({ api, gallery }: { api: Api; gallery: string }) {
  const [file, setFile] = useState<File | undefined>(undefined);
  const [method, setMethod] = useState<Method>('exact');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<SearchResponse | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const url = useObjectUrl(file);
  const running = useRef<AbortController | undefined>(undefined);

  const search = useCallback(
    async (photo: File, how: Method) => {
      running.current?.abort();
      const controller = new AbortController();
      running.current = controller;
      setBusy(true);
      setError(undefined);
      setResult(undefined);
      const form = new FormData();
      form.append('img', photo, photo.name || 'pasted.png');
      form.append('gallery', gallery);
      form.append('search_method', how);
      form.append('similarity_search', 'true');
      form.append('k', '20');
      try {
        setResult(await api.post<SearchResponse>('/search', form, controller.signal));
      } catch (err) {
        if ((err as Error).name !== 'AbortError') setError(err);
      } finally {
        if (running.current === controller) setBusy(false);
      }
    },
    [api, gallery],
  );

  useEffect(() => () => running.current?.abort(), []);

  const pick = useCallback(
    (files: File[]) => {
      setFile(files[0]);
      void search(files[0], method);
    },
    [search, method],
  );

  const boxes: LabelledBox[] =
    result?.identities.map((face, i) => ({
      ...face.facial_area,
      n: i + 1,
      label: face.verdict === 'known' ? (face.img_name ?? '') : 'unknown',
      tone: face.verdict === 'known' ? 'known' : 'unknown',
    })) ?? [];

  return (
    <section aria-labelledby="search-title">
      <h2 id="search-title">Search</h2>
      <p class="muted">Who is in the photo? Every face is matched against the gallery “{gallery}”.</p>
      <div class="controls">
        <PhotoPicker name="search" label="Photo to search" paste onFiles={pick} disabled={busy} />
        <fieldset class="choice">
          <legend>Search</legend>
          {(
            [
              ['exact', 'Exact', 'every stored face, always right'],
              ['ann', 'Approximate', 'the HNSW index, faster at scale'],
            ] as const
          ).map(([value, name, why]) => (
            <label key={value}>
              <input
                type="radio"
                name="search-method"
                value={value}
                checked={method === value}
                onChange={() => {
                  setMethod(value);
                  if (file) void search(file, value);
                }}
              />
              {name} <span class="muted">— {why}</span>
            </label>
          ))}
        </fieldset>
      </div>
      {busy && (
        <p role="status" class="muted">
          Searching…
        </p>
      )}
      <ErrorNotice error={error} context="Search failed" />
      {url && (
        <div class="result-grid">
          <FaceImage src={url} alt="The searched photo, faces boxed" boxes={boxes} />
          {result && (
            <div class="faces-list" data-testid="search-results">
              <p role="status">
                {result.identities.length === 1 ? '1 face' : `${result.identities.length} faces`} ·{' '}
                {result.identities.filter((face) => face.verdict === 'known').length} recognised · {method === 'exact' ? 'exact' : 'approximate'} search
              </p>
              {result.identities.map((face, i) => (
                <FaceCandidates key={i} n={i + 1} known={face.verdict === 'known' ? face.img_name : null} rows={result.results[i] ?? []} api={api} gallery={gallery} />
              ))}
            </div>
          )}
        </div>
      )}
    </section>
  );
}

function FaceCandidates({ n, known, rows, api, gallery }: { n: number; known: string | null; rows: readonly SearchRow[]; api: Api; gallery: string }) {
  const threshold = rows[0]?.threshold;
  return (
    <article class={`face ${known ? 'known' : 'unknown'}`} data-face={n}>
      <h3>
        Face {n}: {known ?? 'unknown'}
      </h3>
      {!known && (
        <p class="muted">
          Nobody in the gallery is close enough{threshold !== undefined ? ` (cosine distance at most ${threshold.toFixed(2)})` : ''}.
        </p>
      )}
      {rows.length > 0 && (
        <table class="candidates">
          <caption class="visually-hidden">Candidates for face {n}, nearest first</caption>
          <thead>
            <tr>
              <th scope="col">Subject</th>
              <th scope="col">Distance</th>
              <th scope="col">Confidence</th>
            </tr>
          </thead>
          <tbody>
            {rows.slice(0, SHOWN).map((row) => {
              const within = row.distance <= row.threshold;
              return (
                <tr key={row.id} class={within ? 'within' : 'beyond'}>
                  <td>
                    <FaceThumbnail api={api} gallery={gallery} id={row.id} name={row.img_name} />
                    {row.img_name}
                    {!within && <span class="muted"> (too far)</span>}
                  </td>
                  <td>{row.distance.toFixed(3)}</td>
                  <td>
                    <ConfidenceBar percent={row.confidence} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </article>
  );
}

/** Confidence (0-100 %) as a bar, with the number for those who cannot see the bar. */
export function ConfidenceBar({ percent }: { percent: number }) {
  const value = Math.max(0, Math.min(100, percent));
  return (
    <span class="confidence">
      <meter min={0} max={100} low={50} high={80} optimum={100} value={value} aria-label={`confidence ${value.toFixed(0)} percent`} />
      <span>{value.toFixed(0)} %</span>
    </span>
  );
}
