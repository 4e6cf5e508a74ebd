// goodwill.tsx - Settings → Goodwill (admins): the brand currency, the largest grant each role
// gives without approval, the repeat warning's window, and the approved totals per root cause
// over the last 30 days (CSV). Amounts are typed as money and sent as minor units.
// See docs/care-policy.md.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, CarePolicy } from '../api';
import { money, toMinor } from '../care_policy';
import type { ScreenProps } from './areas';
import { describe, FormStatus, NumberField, TextField, useForm } from './form';
import { ChangedBy, useSettingsChanged } from './live';

const ROLES: [string, string][] = [
  ['agent', 'Agents'],
  ['store_staff', 'Store staff'],
  ['supervisor', 'Supervisors'],
  ['admin', 'Admins'],
];

interface V extends Record<string, unknown> {
  currency: string;
  agent: string;
  store_staff: string;
  supervisor: string;
  admin: string;
  count: number | null;
  days: number | null;
}
interface Row { root_cause_id: number; root_cause: string; currency?: string; grants?: number; amount_minor?: number }

const shown = (minor: number | null | undefined, cur: string) => (minor === null || minor === undefined ? '' : money(minor, cur).split(' ')[0]!);

function values(p: CarePolicy): V {
  const l = p.limits as Record<string, number | null | undefined>;
  return { currency: p.currency, agent: shown(l.agent, p.currency), store_staff: shown(l.store_staff, p.currency),
    supervisor: shown(l.supervisor, p.currency), admin: shown(l.admin, p.currency), count: p.repeat.count, days: p.repeat.days };
}

export function GoodwillArea({ me }: ScreenProps) {
  const f = useForm<V>({ currency: 'EUR', agent: '', store_staff: '', supervisor: '', admin: '', count: 2, days: 90 });
  const [report, setReport] = useState<Row[] | null>(null);
  const [msg, setMsg] = useState('');
  const load = async () => {
    try {
      const [p, r] = await Promise.all([
        api<CarePolicy>('GET', '/api/v1/care-policy'),
        api<{ items: Row[] }>('GET', '/api/v1/reports/goodwill'),
      ]);
      if (!f.dirty) f.reset(values(p));
      setReport(r.items);
    } catch (e) {
      setMsg(describe(e));
    }
  };
  const changed = useSettingsChanged('care_policy', () => load());
  useSettingsChanged('goodwill_queue', () => load());
  useEffect(() => {
    load();
  }, []);
  const save = f.submit(async (v) => {
    const cur = v.currency.trim().toUpperCase();
    const limits: Record<string, number | null> = {};
    for (const [role] of ROLES) {
      const t = (v[role] as string).trim();
      if (!t) {
        limits[role] = null;
        continue;
      }
      const m = toMinor(t, cur);
      if (m === null) throw new ApiError(422, 'invalid_field', `invalid '${role}': type an amount such as 25.00, or leave it empty for no limit`, role);
      limits[role] = m;
    }
    await api('PUT', '/api/v1/care-policy', { currency: cur, limits, repeat: { count: v.count, days: v.days } });
    return 'Goodwill limits saved.';
  });
  return (
    <div class="gwset">
      <p class="muted">
        Refunds, vouchers and freebies an agent records on a conversation. Up to their role's limit they are given at once;
        above it they wait in a supervisor's “Approvals”. Leave a limit empty for no limit.
      </p>
      <ChangedBy event={changed} meId={me.id} />
      {msg && <p role="status" class="form-notice">{msg}</p>}
      <form onSubmit={save} aria-label="Goodwill limits" noValidate>
        <TextField form={f} name="currency" label="Currency" maxLength={3} hint="ISO 4217 code, such as EUR, USD or GBP. A grant in another currency always needs approval." />
        <fieldset class="gw-limits">
          <legend>Largest grant without approval</legend>
          {ROLES.map(([role, label]) => (
            <TextField key={role} form={f} name={role} label={label} maxLength={12} placeholder="No limit" />
          ))}
        </fieldset>
        <fieldset class="gw-limits">
          <legend>Warn before repeat goodwill</legend>
          <NumberField form={f} name="count" label="Grants to the same customer" min={1} max={100} />
          <NumberField form={f} name="days" label="Within" min={1} max={730} unit="days" />
        </fieldset>
        <FormStatus form={f} />
        <div class="form-actions"><button class="primary" disabled={f.busy}>Save</button></div>
      </form>
      <section class="tk-section" aria-labelledby="gw-rep-h">
        <h2 id="gw-rep-h">Approved in the last 30 days</h2>
        {report && !report.length && <p class="muted">No goodwill given yet.</p>}
        {report && report.length > 0 && (
          <table class="rc-report">
            <thead><tr><th scope="col">Root cause</th><th scope="col">Grants</th><th scope="col">Total</th></tr></thead>
            <tbody>
              {report.map((r) => (
                <tr key={`${r.root_cause_id}-${r.currency}`}><td>{r.root_cause}</td><td>{r.grants}</td><td>{money(r.amount_minor ?? 0, r.currency ?? '')}</td></tr>
              ))}
            </tbody>
          </table>
        )}
        <p><a href="/api/v1/reports/goodwill?format=csv" download>Download as CSV</a></p>
      </section>
    </div>
  );
}
