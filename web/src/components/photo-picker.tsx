/**
 * Where a photo comes in: dropped on the zone, pasted (Ctrl+V anywhere on the page while the
 * picker is shown, when `paste` is set), or picked with the file chooser through a real button,
 * so that a keyboard reaches it with Tab and opens it with Enter or Space. `folder` adds a second
 * button that picks a whole folder (every file under it).
 */
import { useEffect, useId, useRef, useState } from 'preact/hooks';

export interface PhotoPickerProps {
  label: string;
  hint?: string;
  multiple?: boolean;
  folder?: boolean;
  paste?: boolean;
  disabled?: boolean;
  onFiles: (files: File[]) => void;
  /** For tests and labels: a name for the zone's file input (data-picker). */
  name: string;
}

export function PhotoPicker({ label, hint, multiple = false, folder = false, paste = false, disabled = false, onFiles, name }: PhotoPickerProps) {
  const input = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const hintId = useId();

  useEffect(() => {
    // A folder chooser is not in the HTML standard's attributes Preact knows; every current browser takes webkitdirectory.
    folderInput.current?.setAttribute('webkitdirectory', '');
  }, [folder]);

  useEffect(() => {
    if (!paste || disabled) return undefined;
    const onPaste = (event: ClipboardEvent) => {
      const files = [...(event.clipboardData?.files ?? [])].filter((file) => file.type.startsWith('image/'));
      if (files.length === 0) return;
      event.preventDefault();
      onFiles(multiple ? files : files.slice(0, 1));
    };
    document.addEventListener('paste', onPaste);
    return () => document.removeEventListener('paste', onPaste);
  }, [paste, disabled, multiple, onFiles]);

  const take = (list: FileList | null | undefined) => {
    const files = [...(list ?? [])];
    if (files.length > 0) onFiles(multiple ? files : files.slice(0, 1));
  };

  return (
    <div class="picker">
      <div
        class={`drop${over ? ' over' : ''}${disabled ? ' disabled' : ''}`}
        data-drop={name}
        onDragOver={(event) => {
          event.preventDefault();
          if (!disabled) setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(event) => {
          event.preventDefault();
          setOver(false);
          if (!disabled) take(event.dataTransfer?.files);
        }}
      >
        <strong>{label}</strong>
        <span id={hintId} class="muted">
          {hint ?? `Drop ${multiple ? 'photos' : 'a photo'} here${paste ? ', paste one (Ctrl+V)' : ''}, or`}
        </span>
        <div class="row center">
          <button type="button" data-picker={name} aria-describedby={hintId} disabled={disabled} onClick={() => input.current?.click()}>
            {multiple ? 'Choose photos…' : 'Choose a photo…'}
          </button>
          {folder && (
            <button type="button" class="secondary" disabled={disabled} onClick={() => folderInput.current?.click()}>
              Choose a folder…
            </button>
          )}
        </div>
      </div>
      <input
        ref={input}
        type="file"
        accept="image/*"
        multiple={multiple}
        hidden
        name={name}
        onChange={(event) => {
          take(event.currentTarget.files);
          event.currentTarget.value = '';
        }}
      />
      {folder && (
        <input
          ref={folderInput}
          type="file"
          multiple
          hidden
          name={`${name}-folder`}
          onChange={(event) => {
            take(event.currentTarget.files);
            event.currentTarget.value = '';
          }}
        />
      )}
    </div>
  );
}
