/**
 * A photo with boxes drawn over its faces. Boxes are in the image's own pixels (as the server
 * reports them, after EXIF orientation, which browsers also apply), placed in percent of the
 * natural size so they follow the image at any width.
 */
import { useState } from 'preact/hooks';
import type { Box } from '../types.js';

export interface LabelledBox extends Box {
  /** Shown on the box: its number always, the name where there is room. */
  readonly n: number;
  readonly label?: string;
  /** known: a recognised face; unknown: nobody close enough; neutral: just a face. */
  readonly tone: 'known' | 'unknown' | 'neutral';
}

export function FaceImage({ src, alt, boxes }: { src: string; alt: string; boxes: readonly LabelledBox[] }) {
  const [size, setSize] = useState<{ w: number; h: number } | undefined>(undefined);
  return (
    <figure class="faces">
      <img
        src={src}
        alt={alt}
        onLoad={(event) => {
          const img = event.currentTarget;
          setSize({ w: img.naturalWidth, h: img.naturalHeight });
        }}
      />
      {size &&
        boxes.map((box, i) => (
          <div
            key={i}
            class={`box ${box.tone}`}
            data-box={i + 1}
            style={{
              left: `${(box.x / size.w) * 100}%`,
              top: `${(box.y / size.h) * 100}%`,
              width: `${(box.w / size.w) * 100}%`,
              height: `${(box.h / size.h) * 100}%`,
            }}
          >
            <span class="tag">
              {box.n}
              {box.label && <span class="name"> {box.label}</span>}
            </span>
          </div>
        ))}
    </figure>
  );
}
