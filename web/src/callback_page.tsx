// callback_page.tsx - the small public page a callback link opens (/callback/<token>): the
// customer picks a time from the team's open hours, shown in their own time zone (and the
// team's, when it differs), gives a phone number and an optional note. No sign-in; the link
// works once. Everything shown comes from the API as text (JSX escapes it).
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, ApiError } from './api';

interface Offer {
  brand_name: string;
  agent_first_name: string | null;
  tz: string;
  slots: string[];
  slot_minutes: number;
  expires_at: string;
}

const GONE = 'It was used already or is older than 7 days. Write to us again and we will send you a new one.';

const localZone = () => {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
};
const dayOf = (iso: string, timeZone?: string) =>
  new Date(iso).toLocaleDateString(undefined, { weekday: 'long', day: 'numeric', month: 'long', timeZone });
const timeOf = (iso: string, timeZone?: string) =>
  new Date(iso).toLocaleTimeString(undefined, { hour: 'numeric', minute: '2-digit', timeZone });
const place = (tz: string) => (tz.split('/').pop() ?? tz).replace(/_/g, ' ');

export function CallbackPage({ token }: { token: string }) {
  const [offer, setOffer] = useState<Offer | null | undefined>(undefined);
  const [problem, setProblem] = useState('');
  const [slot, setSlot] = useState('');
  const [phone, setPhone] = useState('');
  const [note, setNote] = useState('');
  const [errs, setErrs] = useState<{ slot?: string; phone?: string; note?: string; form?: string }>({});
  const [busy, setBusy] = useState(false);
  const [booked, setBooked] = useState<{ phone: string; slot_at: string } | null>(null);
  const mine = localZone();

  useEffect(() => {
    api<Offer>('GET', `/api/v1/callback/${encodeURIComponent(token)}`)
      .then((o) => {
        setOffer(o);
        document.title = `Book a call with ${o.brand_name}`;
      })
      .catch((e) => {
        setOffer(null);
        if (e instanceof ApiError && e.status === 429) setProblem('Too many tries. Wait a minute and reload this page.');
        else if (!(e instanceof ApiError && e.status === 404)) setProblem('The page cannot reach us right now. Check your connection and reload.');
      });
  }, [token]);

  // The slots by day in the customer's own zone.
  const days = useMemo(() => {
    const out: { day: string; slots: string[] }[] = [];
    for (const s of offer?.slots ?? []) {
      const d = dayOf(s, mine);
      if (!out.length || out[out.length - 1]!.day !== d) out.push({ day: d, slots: [] });
      out[out.length - 1]!.slots.push(s);
    }
    return out;
  }, [offer, mine]);

  const submit = async (e: Event) => {
    e.preventDefault();
    const next: typeof errs = {};
    if (!slot) next.slot = 'Pick a time.';
    if (!phone.trim()) next.phone = 'Write the number we should call.';
    setErrs(next);
    if (next.slot || next.phone) return;
    setBusy(true);
    try {
      const r = await api<{ phone: string; slot_at: string }>('POST', `/api/v1/callback/${encodeURIComponent(token)}`, {
        slot,
        phone,
        ...(note.trim() ? { note } : {}),
      });
      setBooked(r);
    } catch (err) {
      if (err instanceof ApiError && err.status === 422 && err.field === 'phone')
        setErrs({ phone: 'Write the number with its country code, like +49 151 2345678.' });
      else if (err instanceof ApiError && err.status === 422 && err.field === 'slot')
        setErrs({ slot: 'That time is no longer free. Please pick another.' });
      else if (err instanceof ApiError && err.status === 422 && err.field === 'note')
        setErrs({ note: 'The note is too long; keep it under 500 characters.' });
      else if (err instanceof ApiError && err.status === 404) {
        setOffer(null);
        setProblem('');
      } else if (err instanceof ApiError && err.status === 429) setErrs({ form: 'Too many tries. Wait a minute and try again.' });
      else setErrs({ form: 'We could not save your choice. Check your connection and try again.' });
    } finally {
      setBusy(false);
    }
  };

  if (offer === undefined) return <main class="cb-page"><p aria-busy="true">Loading…</p></main>;
  if (!offer)
    return (
      <main class="cb-page">
        <div class="cb-card">
          <h1>This link does not work any more</h1>
          <p>{problem || GONE}</p>
        </div>
      </main>
    );
  const who = offer.agent_first_name || 'We';
  if (booked)
    return (
      <main class="cb-page">
        <div class="cb-card" role="status">
          <h1>Your call is booked</h1>
          <p>
            {who} from {offer.brand_name} will call you on <strong>{booked.phone}</strong> on{' '}
            <strong>{dayOf(booked.slot_at, mine)}</strong> at <strong>{timeOf(booked.slot_at, mine)}</strong> (your time).
          </p>
          <p class="cb-muted">You can close this page.</p>
        </div>
      </main>
    );
  const otherZone = offer.tz !== mine;
  return (
    <main class="cb-page">
      <form class="cb-card" onSubmit={submit} aria-labelledby="cb-title" noValidate>
        <h1 id="cb-title">Book a call with {offer.brand_name}</h1>
        <p>
          {offer.agent_first_name ? `${offer.agent_first_name} will call you` : 'We will call you'} at the time you pick. A call takes up to{' '}
          {offer.slot_minutes} minutes.
        </p>
        <fieldset class="cb-slots" aria-describedby={errs.slot ? 'cb-slot-err' : 'cb-zone'}>
          <legend>When should we call?</legend>
          <p id="cb-zone" class="cb-muted">
            Times are in your time zone ({place(mine)}){otherZone ? `; the team's time (${place(offer.tz)}) is shown beside each.` : '.'}
          </p>
          {!days.length && <p>There are no free times in the next two weeks. Please write to us instead.</p>}
          {days.map((d) => (
            <div class="cb-day" role="group" aria-label={d.day} key={d.day}>
              <h2>{d.day}</h2>
              <div class="cb-times">
                {d.slots.map((s) => (
                  <label class={'cb-time' + (slot === s ? ' picked' : '')} key={s}>
                    <input type="radio" name="slot" value={s} checked={slot === s} onChange={() => { setSlot(s); setErrs((x) => ({ ...x, slot: undefined })); }} />
                    <span>{timeOf(s, mine)}</span>
                    {otherZone && <span class="cb-their">{timeOf(s, offer.tz)} {place(offer.tz)}</span>}
                  </label>
                ))}
              </div>
            </div>
          ))}
          {errs.slot && <p id="cb-slot-err" class="cb-error" role="alert">{errs.slot}</p>}
        </fieldset>
        <label for="cb-phone">Your phone number</label>
        <input id="cb-phone" type="tel" autoComplete="tel" inputMode="tel" maxLength={32} required value={phone}
          aria-invalid={!!errs.phone} aria-describedby={errs.phone ? 'cb-phone-err' : 'cb-phone-hint'}
          onInput={(e) => { setPhone((e.target as HTMLInputElement).value); setErrs((x) => ({ ...x, phone: undefined })); }} />
        {errs.phone ? <p id="cb-phone-err" class="cb-error" role="alert">{errs.phone}</p>
          : <p id="cb-phone-hint" class="cb-muted">With the country code, like +49 151 2345678.</p>}
        <label for="cb-note">Anything we should know first? (optional)</label>
        <textarea id="cb-note" rows={3} maxLength={500} value={note}
          aria-invalid={!!errs.note} aria-describedby={errs.note ? 'cb-note-err' : undefined}
          onInput={(e) => { setNote((e.target as HTMLTextAreaElement).value); setErrs((x) => ({ ...x, note: undefined })); }} />
        {errs.note && <p id="cb-note-err" class="cb-error" role="alert">{errs.note}</p>}
        {errs.form && <p class="cb-error" role="alert">{errs.form}</p>}
        <button type="submit" class="primary cb-book" disabled={busy}>{busy ? 'Booking…' : 'Book the call'}</button>
      </form>
    </main>
  );
}
