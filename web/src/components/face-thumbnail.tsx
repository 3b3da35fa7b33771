/**
 * The stored thumbnail of a candidate's face, when the server keeps face crops
 * (`--keep-face-crops`); nothing at all when it does not, or when the fetch fails: a thumbnail is
 * a help to the eye, never a reason to hide the candidate.
 */
import { useEffect, useState } from 'preact/hooks';
import { seg, type Api } from '../api.js';

export function FaceThumbnail({ api, gallery, id, name }: { api: Api; gallery: string; id: string; name: string }) {
  const [url, setUrl] = useState<string | undefined>(undefined);
  useEffect(() => {
    const controller = new AbortController();
    let made: string | undefined;
    api
      .image(`/galleries/${seg(gallery)}/records/${seg(id)}/crop`, controller.signal)
      .then((blob) => {
        if (!blob || controller.signal.aborted) return;
        made = URL.createObjectURL(blob);
        setUrl(made);
      })
      .catch(() => undefined);
    return () => {
      controller.abort();
      if (made) URL.revokeObjectURL(made);
    };
  }, [api, gallery, id]);
  return url ? <img class="thumbnail" src={url} width={48} height={48} alt={`Stored face of ${name}`} /> : null;
}
