// form.tsx - the settings screens' form kit.
//
// One way to build a settings form: useForm() holds the typed values, submit() runs the API call
// and maps a 422's `field` to the message beside that field (the API's own message, in care-team
// words); nothing typed is ever reset by an error. Fields are native inputs with labels, so every
// form works from the keyboard and with a screen reader.
//
//   const f = useForm({ name: team.name, lead: team.lead_agent_id });
//   <form onSubmit={f.submit(async (v) => { await api('PUT', url, v); return 'Team saved.'; })}>
//     <TextField form={f} name="name" label="Name" maxLength={100} required />
//     <FormStatus form={f} />
//     <button class="primary" disabled={f.busy}>Save</button>
//   </form>
import type { ComponentChildren, JSX } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { ApiError } from '../api';

type Values = Record<string, unknown>;

export interface Form<T extends Values> {
  values: T;
  set: <K extends keyof T>(name: K, value: T[K]) => void;
  reset: (values: T) => void;
  errors: Record<string, string>;
  error: string; // about the whole form (not one field)
  notice: string; // the last success message
  busy: boolean;
  dirty: boolean;
  submit: (fn: (values: T) => Promise<string | void>) => (e?: Event) => Promise<boolean>;
  id: string; // prefix for the fields' ids
}

let forms = 0;

// Rewrites the API's validation wording for people: the field is already named by its label.
export function humanize(message: string): string {
  let m = message.replace(/^(invalid|missing) '[^']*':\s*/i, '');
  m = m.replace(/^want (\d+)\.\.(\d+) bytes$/, (_s, a, b) => (a === '1' ? `Use up to ${b} characters.` : `Use ${a} to ${b} characters.`));
  m = m.replace(/^longer than (\d+) bytes$/, (_s, n) => `Use at most ${n} characters.`);
  m = m.replace(/^want a string$/, 'Enter some text.');
  m = m.replace(/^want an? (integer|number)\b/, 'Enter a number');
  m = m.replace(/^want /, 'Expected ');
  m = m.replace(/\bbytes\b/g, 'characters');
  if (/^missing '/i.test(message) && !m) m = 'Required.';
  return m ? m[0]!.toUpperCase() + m.slice(1) : message;
}

export function useForm<T extends Values>(initial: T): Form<T> {
  const [values, setValues] = useState<T>(initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);
  const [dirty, setDirty] = useState(false);
  const id = useRef(`f${++forms}`).current;
  const form: Form<T> = {
    values,
    errors,
    error,
    notice,
    busy,
    dirty,
    id,
    set: (name, value) => {
      setValues((v) => ({ ...v, [name]: value }));
      setDirty(true);
      setNotice('');
      setErrors((e) => {
        if (!(name as string in e)) return e;
        const next = { ...e };
        delete next[name as string];
        return next;
      });
    },
    reset: (v) => {
      setValues(v);
      setErrors({});
      setError('');
      setDirty(false);
    },
    submit: (fn) => async (e?: Event) => {
      e?.preventDefault();
      setBusy(true);
      setErrors({});
      setError('');
      setNotice('');
      try {
        const msg = await fn(values);
        setNotice(msg || 'Saved.');
        setDirty(false);
        return true;
      } catch (err) {
        if (err instanceof ApiError && err.status === 422 && err.field) {
          const f = err.field;
          // settings.page_id is shown beside the field named "settings.page_id" or "page_id".
          const key = document.getElementById(`${id}-${f}`) ? f : f.split('.').pop()!;
          setErrors({ [key]: humanize(err.message) });
          document.getElementById(`${id}-${key}`)?.focus();
        } else {
          setError(describe(err));
        }
        return false;
      } finally {
        setBusy(false);
      }
    },
  };
  return form;
}

// An error in care-team words, whatever failed.
export function describe(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 401) return 'Your session has ended. Sign in again.';
    if (err.status === 403) return 'Only an admin can change this.';
    if (err.status === 404) return 'This was deleted meanwhile. Reload the page.';
    if (err.status === 409) return humanize(err.message);
    if (err.status === 429 || err.status === 503) return 'Hark is busy right now. Try again in a moment.';
    if (err.status >= 500) return 'Hark could not save this (a server error). Try again; if it persists, tell your admin.';
    return humanize(err.message);
  }
  return 'Hark cannot be reached. Check your connection and try again.';
}

interface FieldProps<T extends Values> {
  form: Form<T>;
  name: keyof T & string;
  label: string;
  hint?: ComponentChildren;
}

// A label, the control, its hint and its error, wired with ids for assistive technology.
export function Field<T extends Values>({ form, name, label, hint, children }: FieldProps<T> & { children: (p: { id: string; 'aria-invalid'?: boolean; 'aria-describedby'?: string }) => JSX.Element }) {
  const id = `${form.id}-${name}`;
  const err = form.errors[name];
  const describedBy = [hint ? `${id}-hint` : '', err ? `${id}-err` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class={'field' + (err ? ' field-invalid' : '')}>
      <label for={id}>{label}</label>
      {children({ id, 'aria-invalid': err ? true : undefined, 'aria-describedby': describedBy })}
      {hint && (
        <p class="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {err && (
        <p class="field-error" id={`${id}-err`} role="alert">
          {err}
        </p>
      )}
    </div>
  );
}

interface InputAttrs {
  type?: 'text' | 'email' | 'url' | 'tel' | 'password' | 'search' | 'date' | 'time' | 'color';
  placeholder?: string;
  maxLength?: number;
  minLength?: number;
  required?: boolean;
  autoComplete?: string;
  pattern?: string;
  disabled?: boolean;
  readOnly?: boolean;
  list?: string;
  spellcheck?: boolean;
}

export function TextField<T extends Values>(p: FieldProps<T> & InputAttrs) {
  const { form, name, label, hint, ...rest } = p;
  return (
    <Field form={form} name={name} label={label} hint={hint}>
      {(a) => (
        <input
          {...(rest as Record<string, unknown>)}
          {...a}
          name={name}
          value={(form.values[name] as string | null | undefined) ?? ''}
          onInput={(e) => form.set(name, (e.target as HTMLInputElement).value as T[typeof name])}
        />
      )}
    </Field>
  );
}

export function TextArea<T extends Values>(p: FieldProps<T> & { rows?: number; maxLength?: number; placeholder?: string }) {
  const { form, name, label, hint, ...rest } = p;
  return (
    <Field form={form} name={name} label={label} hint={hint}>
      {(a) => (
        <textarea
          {...rest}
          {...a}
          name={name}
          value={(form.values[name] as string | null | undefined) ?? ''}
          onInput={(e) => form.set(name, (e.target as HTMLTextAreaElement).value as T[typeof name])}
        />
      )}
    </Field>
  );
}

// A number, or null when empty (the API's "no value").
export function NumberField<T extends Values>(p: FieldProps<T> & { min?: number; max?: number; step?: number; placeholder?: string; unit?: string }) {
  const { form, name, label, hint, unit, ...rest } = p;
  const v = form.values[name] as number | null | undefined;
  return (
    <Field form={form} name={name} label={label} hint={hint}>
      {(a) => (
        <span class="with-unit">
          <input
            {...rest}
            {...a}
            type="number"
            inputMode="numeric"
            name={name}
            value={v === null || v === undefined ? '' : String(v)}
            onInput={(e) => {
              const s = (e.target as HTMLInputElement).value;
              form.set(name, (s === '' ? null : Number(s)) as T[typeof name]);
            }}
          />
          {unit && <span class="unit">{unit}</span>}
        </span>
      )}
    </Field>
  );
}

export interface Option {
  value: string;
  label: string;
}

// A choice; the empty value (when `empty` is given) stands for null.
export function SelectField<T extends Values>(p: FieldProps<T> & { options: Option[]; empty?: string }) {
  const { form, name, label, hint, options, empty } = p;
  const v = form.values[name];
  return (
    <Field form={form} name={name} label={label} hint={hint}>
      {(a) => (
        <select
          {...a}
          name={name}
          value={v === null || v === undefined ? '' : String(v)}
          onChange={(e) => {
            const s = (e.target as HTMLSelectElement).value;
            const typed = typeof v === 'number' || (v === null && options.every((o) => /^\d+$/.test(o.value))) ? Number(s) : s;
            form.set(name, (s === '' ? null : typed) as T[typeof name]);
          }}
        >
          {empty !== undefined && <option value="">{empty}</option>}
          {options.map((o) => (
            <option value={o.value}>{o.label}</option>
          ))}
        </select>
      )}
    </Field>
  );
}

export function CheckField<T extends Values>({ form, name, label, hint }: FieldProps<T>) {
  const id = `${form.id}-${name}`;
  const err = form.errors[name];
  return (
    <div class={'field field-check' + (err ? ' field-invalid' : '')}>
      <input
        id={id}
        type="checkbox"
        name={name}
        checked={!!form.values[name]}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onChange={(e) => form.set(name, (e.target as HTMLInputElement).checked as T[typeof name])}
      />
      <label for={id}>{label}</label>
      {hint && (
        <p class="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {err && (
        <p class="field-error" role="alert">
          {err}
        </p>
      )}
    </div>
  );
}

// A list of short words (skills, languages, labels), typed comma-separated, kept as string[].
export function ListField<T extends Values>(p: FieldProps<T> & { placeholder?: string; maxLength?: number }) {
  const { form, name, label, hint, ...rest } = p;
  const list = (form.values[name] as string[] | undefined) ?? [];
  const [text, setText] = useState(list.join(', '));
  // The list may change from outside (a reset after a live update): follow it unless typing.
  const shown = text.split(',').map((s) => s.trim()).filter(Boolean).join(',') === list.join(',') ? text : list.join(', ');
  return (
    <Field form={form} name={name} label={label} hint={hint ?? 'Separate with commas.'}>
      {(a) => (
        <input
          {...(rest as Record<string, unknown>)}
          {...a}
          name={name}
          value={shown}
          onInput={(e) => {
            const s = (e.target as HTMLInputElement).value;
            setText(s);
            form.set(name, s.split(',').map((x) => x.trim()).filter(Boolean) as T[typeof name]);
          }}
        />
      )}
    </Field>
  );
}

// What happened to the last submit: an error about the whole form, or the success notice.
export function FormStatus<T extends Values>({ form }: { form: Form<T> }) {
  if (form.error)
    return (
      <p class="form-error" role="alert">
        {form.error}
      </p>
    );
  if (Object.keys(form.errors).length)
    return (
      <p class="form-error" role="alert">
        Check the highlighted field{Object.keys(form.errors).length > 1 ? 's' : ''}.
      </p>
    );
  if (form.notice)
    return (
      <p class="form-notice" role="status">
        {form.notice}
      </p>
    );
  return null;
}

// A button that asks once more before a destructive action ("Delete" → "Delete team? Yes / No").
export function ConfirmButton({ label, question, onConfirm, disabled }: { label: string; question: string; onConfirm: () => void; disabled?: boolean }) {
  const [asking, setAsking] = useState(false);
  const back = useRef(false); // "No" or Escape: focus returns to the button that asked
  const cancel = () => {
    back.current = true;
    setAsking(false);
  };
  if (!asking)
    return (
      <button
        type="button"
        class="danger"
        disabled={disabled}
        onClick={() => setAsking(true)}
        ref={(b) => {
          if (b && back.current) {
            back.current = false;
            b.focus();
          }
        }}
      >
        {label}
      </button>
    );
  return (
    <span class="confirm" role="group" aria-label={question} onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          cancel();
        }
      }}
    >
      <span>{question}</span>
      <button
        type="button"
        class="danger"
        ref={(b) => b?.focus()}
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        Yes, {label.toLowerCase()}
      </button>
      <button type="button" onClick={cancel}>
        No
      </button>
    </span>
  );
}

// Copies a value shown once (a secret, a link) with one click, and says so.
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(text);
          setDone(true);
          setTimeout(() => setDone(false), 2000);
        } catch {
          /* no clipboard (an insecure origin): the text is on screen to select */
        }
      }}
    >
      {done ? 'Copied' : label}
    </button>
  );
}
