/** A failure in words (the sentence for its code, then the server's message), announced to screen readers. */
import { describe } from '../api.js';

export function ErrorNotice({ error, context }: { error: unknown; context?: string }) {
  if (error === undefined) return null;
  const { sentence, detail } = describe(error);
  return (
    <div class="notice error" role="alert">
      <strong>{context ? `${context}: ${sentence}` : sentence}</strong>
      {detail && <div class="detail">{detail}</div>}
    </div>
  );
}

export function Status({ children }: { children: preact.ComponentChildren }) {
  return (
    <p class="notice ok" role="status">
      {children}
    </p>
  );
}
