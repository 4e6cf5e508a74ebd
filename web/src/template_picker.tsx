// template_picker.tsx - WhatsApp after its 24-hour window: only a template Meta approved may
// be sent. The agent names it (as approved in WhatsApp Manager), its language, and the text for
// its first placeholder; the API sends {"template":{...}} (docs/api.md) and stores a readable
// copy in the thread.
import { useState } from 'preact/hooks';
import { api } from './api';
import { plainError } from './words';

export function TemplatePicker({ convId }: { convId: number }) {
  const [name, setName] = useState('');
  const [lang, setLang] = useState('en_US');
  const [param, setParam] = useState('');
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState('');
  const [err, setErr] = useState('');
  const send = async (e: Event) => {
    e.preventDefault();
    if (busy || !name.trim()) return;
    setBusy(true);
    setErr('');
    setMsg('');
    const template: Record<string, unknown> = { name: name.trim(), language: lang.trim() || 'en_US' };
    if (param.trim()) template.components = [{ type: 'body', parameters: [{ type: 'text', text: param }] }];
    try {
      await api('POST', `/api/v1/conversations/${convId}/messages`, { template });
      setMsg('Template sent.');
      setParam('');
    } catch (e2) {
      setErr(plainError(e2, 'The template was not sent. Check its name and language.'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <fieldset class="tp" data-testid="template-picker">
      <legend>Send an approved WhatsApp template</legend>
      <div class="tp-row">
        <label>
          <span>Template name</span>
          <input value={name} maxLength={512} placeholder="order_update" onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          <span>Language</span>
          <input value={lang} maxLength={15} onInput={(e) => setLang((e.target as HTMLInputElement).value)} />
        </label>
      </div>
      <label>
        <span>Text for the first blank (optional)</span>
        <input value={param} maxLength={1024} onInput={(e) => setParam((e.target as HTMLInputElement).value)} />
      </label>
      {err && <p class="error" role="alert">{err}</p>}
      {msg && <p class="notice" role="status">{msg}</p>}
      <div class="row-end">
        <button type="button" class="primary" disabled={busy || !name.trim()} onClick={send}>Send template</button>
      </div>
    </fieldset>
  );
}
