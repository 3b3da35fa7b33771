/**
 * Compare: two photos side by side, verified as the same person or not (POST /verify, the
 * largest face of each), with the distance shown against the threshold on a scale. The
 * threshold is the model's, calibrated on LFW: lower accepts fewer impostors, rejects more
 * genuine pairs.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Api } from '../api.js';
import { FaceImage } from '../components/face-image.js';
import { ErrorNotice } from '../components/notice.js';
import { useObjectUrl } from '../components/object-url.js';
import { PhotoPicker } from '../components/photo-picker.js';
import type { Box, VerifyResponse } from '../types.js';

export function ComparePage({ api }: { api: Api }) {
  const [one, setOne] = useState<File | undefined>(undefined);
  const [two, setTwo] = useState<File | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<VerifyResponse | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const running = useRef<AbortController | undefined>(undefined);

  useEffect(() => {
    setResult(undefined);
    setError(undefined);
    if (!one || !two) return undefined;
    const controller = new AbortController();
    running.current = controller;
    const form = new FormData();
    form.append('img1', one, one.name || 'first.png');
    form.append('img2', two, two.name || 'second.png');
    setBusy(true);
    api.post<VerifyResponse>('/verify', form, controller.signal).then(
      (reply) => setResult(reply),
      (err: unknown) => {
        if ((err as Error).name !== 'AbortError') setError(err);
      },
    ).finally(() => {
      if (running.current === controller) setBusy(false);
    });
    return () => controller.abort();
  }, [api, one, two]);

  return (
    <section aria-labelledby="compare-title">
      <h2 id="compare-title">Compare</h2>
      <p class="muted">Are two photos of the same person? The largest face of each is compared.</p>
      <div class="pair">
        <Side n={1} file={one} onFile={setOne} box={result?.facial_areas.img1 ?? null} />
        <Side n={2} file={two} onFile={setTwo} box={result?.facial_areas.img2 ?? null} />
      </div>
      {busy && (
        <p role="status" class="muted">
          Comparing…
        </p>
      )}
      <ErrorNotice error={error} context="Comparison failed" />
      {result && <Verdict result={result} />}
    </section>
  );
}

function Side({ n, file, onFile, box }: { n: number; file: File | undefined; onFile: (file: File) => void; box: Box | null }) {
  const url = useObjectUrl(file);
  return (
    <div class="side">
      <PhotoPicker name={`compare-${n}`} label={`Photo ${n}`} onFiles={(files) => onFile(files[0])} />
      {url && <FaceImage src={url} alt={`Photo ${n}`} boxes={box ? [{ ...box, n, tone: 'neutral' }] : []} />}
    </div>
  );
}

function Verdict({ result }: { result: VerifyResponse }) {
  const { distance, threshold, verified } = result;
  // The scale runs from 0 to twice the threshold, or further when the distance is beyond that.
  const end = Math.max(threshold * 2, distance * 1.1);
  const at = (value: number) => `${Math.min(100, (value / end) * 100)}%`;
  return (
    <div class={`verdict ${verified ? 'same' : 'different'}`} data-testid="verdict">
      <h3 role="status">{verified ? 'Same person' : 'Different people'}</h3>
      <p>
        Cosine distance <strong>{distance.toFixed(3)}</strong> {verified ? 'is within' : 'is beyond'} the threshold {threshold.toFixed(3)} ({result.model}); confidence{' '}
        {result.confidence.toFixed(0)} %.
      </p>
      <div class="scale" role="img" aria-label={`distance ${distance.toFixed(3)} on a scale from 0 to ${end.toFixed(2)}, threshold ${threshold.toFixed(3)}`}>
        <div class="zone-same" style={{ width: at(threshold) }} />
        <div class="zone-different" />
        <div class="mark threshold" style={{ left: at(threshold) }} title={`threshold ${threshold.toFixed(3)}`} />
        <div class="mark distance" style={{ left: at(distance) }} title={`distance ${distance.toFixed(3)}`} />
      </div>
      <div class="scale-labels" aria-hidden="true">
        <span class="at-start">0 · same person</span>
        <span class="at-threshold" style={{ left: at(threshold) }}>
          threshold {threshold.toFixed(2)}
        </span>
        <span class="at-end">different people · {end.toFixed(2)}</span>
      </div>
      <p class="muted">The dot is this pair's distance; at or left of the threshold line counts as the same person.</p>
    </div>
  );
}
