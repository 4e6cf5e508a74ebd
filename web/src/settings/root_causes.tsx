// root_causes.tsx - Settings → Root causes (admins): the taxonomy with the keywords that
// suggest each cause, whether resolving a complaint needs one, and the count per cause over
// the last 30 days (CSV). See docs/care-policy.md.
import { useEffect, useState } from 'preact/hooks';
import { api, CarePolicy, RootCause } from '../api';
import type { ScreenProps } from './areas';
import { CheckField, ConfirmButton, describe, FormStatus, ListField, TextField, useForm } from './form';
import { ChangedBy, useSettingsChanged } from './live';

interface ReportRow { root_cause_id: number; root_cause: string; conversations?: number }

function CauseForm({ cause, onSaved, onCancel }: { cause: RootCause | null; onSaved: (c: RootCause) => void; onCancel?: () => void }) {
  const f = useForm<{ name: string; keywords: string[] }>({ name: cause?.name ?? '', keywords: cause?.keywords ?? [] });
  const save = f.submit(async (v) => {
    const body = { name: v.name.trim(), keywords: v.keywords };
    const c = cause
      ? await api<RootCause>('PUT', `/api/v1/root-causes/${cause.id}`, body)
      : await api<RootCause>('POST', '/api/v1/root-causes', body);
    if (!cause) f.reset({ name: '', keywords: [] });
    onSaved(c);
    return cause ? `“${c.name}” saved.` : `“${c.name}” added.`;
  });
  return (
    <form onSubmit={save} aria-label={cause ? `Edit ${cause.name}` : 'New root cause'} noValidate class="rc-form">
      <TextField form={f} name="name" label="Name" maxLength={60} required placeholder="Damaged in transit" />
      <ListField form={f} name="keywords" label="Keywords" placeholder="broken, arrived damaged, smashed"
        hint="Words or phrases customers use for it, separated with commas. The one with most words found is suggested." />
      <FormStatus form={f} />
      <div class="form-actions">
        <button class="primary" disabled={f.busy}>{cause ? 'Save' : 'Add root cause'}</button>
        {onCancel && <button type="button" onClick={onCancel}>Cancel</button>}
      </div>
    </form>
  );
}

export function RootCausesArea({ me }: ScreenProps) {
  const [causes, setCauses] = useState<RootCause[] | null>(null);
  const [report, setReport] = useState<ReportRow[] | null>(null);
  const [editing, setEditing] = useState<number | null>(null);
  const [msg, setMsg] = useState('');
  const pf = useForm<{ required: boolean }>({ required: true });
  const load = async () => {
    try {
      const [c, p, r] = await Promise.all([
        api<{ items: RootCause[] }>('GET', '/api/v1/root-causes?archived=1'),
        api<CarePolicy>('GET', '/api/v1/care-policy'),
        api<{ items: ReportRow[] }>('GET', '/api/v1/reports/root-causes'),
      ]);
      setCauses(c.items);
      setReport(r.items);
      if (!pf.dirty) pf.reset({ required: p.root_cause === 'required' });
    } catch (e) {
      setMsg(describe(e));
    }
  };
  const changed = useSettingsChanged('root_causes', () => load());
  useSettingsChanged('care_policy', () => load());
  useEffect(() => {
    load();
  }, []);
  const savePolicy = pf.submit(async (v) => {
    await api('PUT', '/api/v1/care-policy', { root_cause: v.required ? 'required' : 'optional' });
    return v.required ? 'Complaints now need a root cause to be resolved.' : 'The root cause is now optional.';
  });
  const archive = async (c: RootCause, archived: boolean) => {
    try {
      await api('PUT', `/api/v1/root-causes/${c.id}`, { archived });
      setMsg(archived ? `“${c.name}” archived: kept in reports, no longer offered.` : `“${c.name}” offered again.`);
    } catch (e) {
      setMsg(describe(e));
    }
    load();
  };
  const remove = async (c: RootCause) => {
    try {
      await api('DELETE', `/api/v1/root-causes/${c.id}`);
      setMsg(`“${c.name}” deleted.`);
    } catch (e) {
      setMsg(describe(e));
    }
    load();
  };
  return (
    <div class="rc">
      <p class="muted">
        Why complaints happen, so the team can fix the cause instead of handing out freebies. When an agent resolves a complaint,
        Hark suggests a cause from the customer's words and says which words it found.
      </p>
      <ChangedBy event={changed} meId={me.id} />
      {msg && <p role="status" class="form-notice">{msg}</p>}
      <section class="tk-section" aria-labelledby="rc-req-h">
        <h2 id="rc-req-h">When resolving</h2>
        <form onSubmit={savePolicy} aria-label="When resolving" noValidate>
          <CheckField form={pf} name="required" label="A complaint needs its root cause to be resolved"
            hint="Off: agents may still pick one, but can resolve without it." />
          <FormStatus form={pf} />
          <div class="form-actions"><button class="primary" disabled={pf.busy}>Save</button></div>
        </form>
      </section>
      <section class="tk-section" aria-labelledby="rc-new-h">
        <h2 id="rc-new-h">New root cause</h2>
        <CauseForm cause={null} onSaved={() => load()} />
      </section>
      <section class="tk-section" aria-labelledby="rc-list-h">
        <h2 id="rc-list-h">All root causes</h2>
        {causes && !causes.length && <p class="muted">None yet. Add the reasons complaints come in, such as “Late delivery”.</p>}
        <ul class="rc-list">
          {(causes ?? []).map((c) => (
            <li key={c.id} data-testid="rc-item">
              {editing === c.id ? (
                <CauseForm cause={c} onSaved={() => { setEditing(null); load(); }} onCancel={() => setEditing(null)} />
              ) : (
                <>
                  <div class="rc-head">
                    <strong>{c.name}</strong>
                    {c.archived && <span class="chip">Archived</span>}
                    <span class="muted">{c.uses === 1 ? 'used once' : `used ${c.uses} times`}</span>
                  </div>
                  <p class="muted rc-kw">{c.keywords.length ? c.keywords.join(', ') : 'No keywords: never suggested.'}</p>
                  <div class="form-actions">
                    <button type="button" onClick={() => setEditing(c.id)} aria-label={`Edit ${c.name}`}>Edit</button>
                    <button type="button" onClick={() => archive(c, !c.archived)} aria-label={`${c.archived ? 'Restore' : 'Archive'} ${c.name}`}>
                      {c.archived ? 'Restore' : 'Archive'}
                    </button>
                    {c.uses === 0 && <ConfirmButton label="Delete" question={`Delete “${c.name}”?`} onConfirm={() => remove(c)} />}
                  </div>
                </>
              )}
            </li>
          ))}
        </ul>
      </section>
      <section class="tk-section" aria-labelledby="rc-rep-h">
        <h2 id="rc-rep-h">Last 30 days</h2>
        {report && !report.length && <p class="muted">No resolved conversation has a root cause yet.</p>}
        {report && report.length > 0 && (
          <table class="rc-report">
            <thead><tr><th scope="col">Root cause</th><th scope="col">Conversations</th></tr></thead>
            <tbody>
              {report.map((r) => (
                <tr key={r.root_cause_id}><td>{r.root_cause}</td><td>{r.conversations}</td></tr>
              ))}
            </tbody>
          </table>
        )}
        <p><a href="/api/v1/reports/root-causes?format=csv" download>Download as CSV</a></p>
      </section>
    </div>
  );
}
