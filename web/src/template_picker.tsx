// template_picker.tsx - WhatsApp after its 24-hour window: only a template Meta approved may be
// sent. The picker lists the approved templates of the channel's business account
// (GET /api/v1/conversations/{id}/templates, cached by the server; "Refresh list" reads Meta
// again) behind "Choose a template" (so the thread keeps its room until the agent wants one),
// searchable by name or words and by language. Picking one shows what the customer will
// read, its blanks filled live as the agent types each value; Send stays off until every blank
// has a value. The API checks the template and the blanks again and stores the message as the
// customer reads it. Template text and values are only ever JSX text.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, ApiError } from './api';
import type { Reply } from './api';
import { plainError } from './words';

type List = Reply<'/api/v1/conversations/{id}/templates', 'get'>;
export type WaTemplate = List['items'][number];

const BLANK = /\{\{([A-Za-z0-9_]+)\}\}/g;
const VALUE_MAX = 1024;

const key = (t: WaTemplate) => `${t.name}|${t.language}`;
// A blank as the agent reads it: "{{1}}", or "first name" for a named one.
const blankWord = (name: string) => (/^\d+$/.test(name) ? `{{${name}}}` : name.replace(/_/g, ' '));
// What WhatsApp refuses in a value (Meta's error 132018), in plain words; '' when fine.
function valueProblem(v: string): string {
  if (/[\n\t]/.test(v)) return 'No line breaks or tabs here.';
  if (/ {4}/.test(v)) return 'No more than three spaces in a row.';
  return '';
}
const filled = (v: string | undefined) => !!v && v.trim() !== '';

// The text with each blank replaced by its value (or shown as the blank while still empty).
function Filled({ text, values, prefix }: { text: string; values: Record<string, string>; prefix: string }) {
  const out = [];
  let last = 0;
  for (const m of text.matchAll(BLANK)) {
    const at = m.index ?? 0;
    if (at > last) out.push(text.slice(last, at));
    const v = values[`${prefix}${m[1]}`];
    out.push(filled(v) ? <mark class="tp-value">{v}</mark> : <span class="tp-blank">{m[0]}</span>);
    last = at + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return <>{out}</>;
}

const LANGS: Record<string, string> = {
  en: 'English', en_US: 'English (US)', en_GB: 'English (UK)', pt_BR: 'Portuguese (Brazil)', pt_PT: 'Portuguese (Portugal)',
  es: 'Spanish', es_ES: 'Spanish (Spain)', es_MX: 'Spanish (Mexico)', de: 'German', fr: 'French', it: 'Italian', nl: 'Dutch',
};
const langWord = (code: string) => (LANGS[code] ? `${LANGS[code]}` : code);

export function TemplatePicker({ convId }: { convId: number }) {
  const [list, setList] = useState<WaTemplate[] | null>(null);
  const [fetchedAt, setFetchedAt] = useState('');
  const [loadErr, setLoadErr] = useState('');
  const [loading, setLoading] = useState(false);
  const [open, setOpen] = useState(false);
  const [q, setQ] = useState('');
  const [lang, setLang] = useState('');
  const [pick, setPick] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  const [fieldErr, setFieldErr] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState('');
  const [err, setErr] = useState('');

  const load = async (refresh = false) => {
    setLoading(true);
    setLoadErr('');
    try {
      const r = await api<List>('GET', `/api/v1/conversations/${convId}/templates${refresh ? '?refresh=1' : ''}`);
      setList(r.items);
      setFetchedAt(r.fetched_at);
    } catch (e) {
      setLoadErr(plainError(e, 'The templates could not be loaded. Try again in a minute.'));
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    setList(null);
    setOpen(false);
    setPick('');
    setValues({});
    setMsg('');
    load();
  }, [convId]);

  const langs = useMemo(() => [...new Set((list ?? []).map((t) => t.language))].sort(), [list]);
  const shown = useMemo(() => {
    const words = q.trim().toLowerCase();
    return (list ?? []).filter((t) => (!lang || t.language === lang) &&
      (!words || t.name.replace(/_/g, ' ').toLowerCase().includes(words) || t.name.toLowerCase().includes(words) ||
       t.body.toLowerCase().includes(words)));
  }, [list, q, lang]);
  const tpl = (list ?? []).find((t) => key(t) === pick) ?? null;
  const hParams = tpl?.header?.params ?? [];
  // Every blank of the picked template, header first: [value key, label, example].
  const blanks: [string, string, string | null][] = tpl
    ? [
        ...hParams.map((p): [string, string, string | null] => [`header.${p}`, `Title ${blankWord(p)}`, null]),
        ...tpl.params.map((p, i): [string, string, string | null] => [`body.${p}`, blankWord(p), tpl.examples[i] ?? null]),
      ]
    : [];
  const left = blanks.filter(([k]) => !filled(values[k]) || valueProblem(values[k] ?? '') !== '').length;
  const ready = !!tpl && tpl.sendable && left === 0 && !busy;

  const choose = (k: string, el: HTMLElement) => {
    // The list shrinks once a template is picked: keep the picked one in sight.
    requestAnimationFrame(() => el.scrollIntoView({ block: 'nearest' }));
    setPick(k);
    setValues({});
    setFieldErr({});
    setErr('');
    setMsg('');
  };
  const send = async () => {
    if (!tpl || !ready) return;
    setBusy(true);
    setErr('');
    setFieldErr({});
    setMsg('');
    const named = tpl.parameter_format === 'named';
    const params = (where: string, names: string[]) =>
      names.map((p) => ({ type: 'text', text: values[`${where}.${p}`] ?? '', ...(named ? { parameter_name: p } : {}) }));
    const components = [];
    if (hParams.length) components.push({ type: 'header', parameters: params('header', hParams) });
    if (tpl.params.length) components.push({ type: 'body', parameters: params('body', tpl.params) });
    const template: Record<string, unknown> = { name: tpl.name, language: tpl.language };
    if (components.length) template.components = components;
    try {
      await api('POST', `/api/v1/conversations/${convId}/messages`, { template });
      setMsg('Template sent.');
      setValues({});
      setPick('');
      setOpen(false);
    } catch (e) {
      const f = e instanceof ApiError && e.field ? e.field.replace(/^template\./, '') : '';
      if (f && blanks.some(([k]) => k === f)) setFieldErr({ [f]: plainError(e) });
      else setErr(plainError(e, 'The template was not sent. Try again.'));
    } finally {
      setBusy(false);
    }
  };

  const name = `tp-${convId}`;
  return (
    <fieldset class="tp" data-testid="template-picker">
      <legend>Send an approved WhatsApp template</legend>
      {loadErr && (
        <div class="tp-problem" role="alert">
          <p>{loadErr}</p>
          <button type="button" onClick={() => load(true)} disabled={loading}>Try again</button>
        </div>
      )}
      {!list && !loadErr && <p class="muted" role="status">Loading the approved templates…</p>}
      {list && !open && (
        <div class="tp-row">
          <button type="button" class="primary" onClick={() => setOpen(true)} disabled={list.length === 0}>Choose a template</button>
          <span class="muted">{list.length === 1 ? '1 approved template' : `${list.length} approved templates`}</span>
          <button type="button" class="tp-refresh" onClick={() => load(true)} disabled={loading}>{loading ? 'Refreshing…' : 'Refresh list'}</button>
          {msg && <span class="notice" role="status">{msg}</span>}
        </div>
      )}
      {list && list.length === 0 && <p class="muted">Meta has not approved any template for this WhatsApp account yet. Create one in WhatsApp Manager, then refresh the list.</p>}
      {list && open && (
        <>
          <div class="tp-row">
            {list.length > 5 && (
              <label class="tp-grow">
                <span>Find a template</span>
                <input type="search" value={q} maxLength={100} placeholder="Name or words in it" onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
              </label>
            )}
            {langs.length > 1 && (
              <label>
                <span>Language</span>
                <select value={lang} onChange={(e) => setLang((e.target as HTMLSelectElement).value)}>
                  <option value="">All languages</option>
                  {langs.map((l) => <option key={l} value={l}>{langWord(l)}</option>)}
                </select>
              </label>
            )}
            <button type="button" class="tp-refresh" onClick={() => { setPick(''); setOpen(false); }}>Close</button>
            <button type="button" onClick={() => load(true)} disabled={loading}
              title={fetchedAt ? `List from ${new Date(fetchedAt).toLocaleTimeString()}` : undefined}>
              {loading ? 'Refreshing…' : 'Refresh list'}
            </button>
          </div>
          {list.length > 0 && shown.length === 0 && <p class="muted">No template matches.</p>}
          {shown.length > 0 && (
            <div class={'tp-list' + (tpl ? ' picked' : '')} role="radiogroup" aria-label="Approved templates">
              {shown.map((t) => (
                <label key={key(t)} class={'tp-opt' + (key(t) === pick ? ' on' : '') + (t.sendable ? '' : ' off')}>
                  <input type="radio" name={name} value={key(t)} checked={key(t) === pick} onChange={(e) => choose(key(t), e.target as HTMLElement)} />
                  <span class="tp-opt-text">
                    <span class="tp-opt-head">
                      <strong>{t.name.replace(/_/g, ' ')}</strong>
                      <span class="tp-chip">{langWord(t.language)}</span>
                      <span class="tp-chip">{t.category}</span>
                      {!t.sendable && <span class="tp-chip warn">Not supported here</span>}
                    </span>
                    <span class="tp-opt-body">{t.body}</span>
                  </span>
                </label>
              ))}
            </div>
          )}
        </>
      )}
      {open && tpl && (
        <div class="tp-chosen" data-testid="template-chosen">
          {!tpl.sendable && <p class="tp-problem" role="alert">Not supported here: {tpl.not_sendable_reason}</p>}
          <div class="tp-preview" aria-live="polite">
            <p class="tp-preview-label">What the customer will read</p>
            {tpl.header?.format === 'text' && tpl.header.text && (
              <p class="tp-preview-head"><Filled text={tpl.header.text} values={values} prefix="header." /></p>
            )}
            {tpl.header && tpl.header.format !== 'text' && <p class="muted">[{tpl.header.format} at the top]</p>}
            <p class="tp-preview-body" data-testid="template-preview"><Filled text={tpl.body} values={values} prefix="body." /></p>
            {tpl.footer && <p class="tp-preview-foot">{tpl.footer}</p>}
            {tpl.buttons.length > 0 && <p class="tp-preview-foot">Buttons: {tpl.buttons.join(' · ')}</p>}
          </div>
          {tpl.sendable && blanks.length > 0 && <div class="tp-fields">{blanks.map(([k, label, example]) => {
            const problem = fieldErr[k] || valueProblem(values[k] ?? '');
            const id = `${name}-${k.replace(/\W/g, '-')}`;
            return (
              <div key={k} class="tp-blank-field">
                <label for={id}>Text for {label}{example ? <span class="muted"> (e.g. {example})</span> : null}</label>
                <input id={id} value={values[k] ?? ''} maxLength={VALUE_MAX} aria-invalid={problem ? true : undefined}
                  aria-describedby={problem ? `${id}-err` : undefined}
                  onInput={(e) => {
                    setValues({ ...values, [k]: (e.target as HTMLInputElement).value });
                    if (fieldErr[k]) setFieldErr({});
                    setMsg('');
                  }}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter') {
                      e.preventDefault();
                      send();
                    }
                  }} />
                {problem && <span class="error" id={`${id}-err`}>{problem}</span>}
              </div>
            );
          })}</div>}
        </div>
      )}
      {err && <p class="error" role="alert">{err}</p>}
      {open && msg && <p class="notice" role="status">{msg}</p>}
      {open && tpl && tpl.sendable && (
        <div class="row-end">
          {left > 0 && <span class="muted hint" data-testid="template-left">{left === 1 ? 'Fill in 1 more blank to send.' : `Fill in ${left} more blanks to send.`}</span>}
          <button type="button" class="primary" disabled={!ready} onClick={send}>{busy ? 'Sending…' : 'Send template'}</button>
        </div>
      )}
    </fieldset>
  );
}
