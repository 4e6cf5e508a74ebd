// canned.tsx (settings) - saved replies: the team's shared set (admins and supervisors edit it)
// and each agent's own. Everyone may open this screen; it shows only the edits the role may make
// (the API enforces the same: docs/api.md "Canned replies").
import { useEffect, useState } from 'preact/hooks';
import { api, clock, qs } from '../api';
import type { Reply } from '../api';
import type { Canned } from '../canned';
import type { ScreenProps } from './areas';
import { ConfirmButton, describe, FormStatus, ListField, SelectField, TextField, useForm } from './form';
import { useSettingsChanged } from './live';

const VARIABLES = ['{contact.first_name}', '{contact.name}', '{agent.first_name}', '{order.ref}', '{conversation.id}', '{contact.attributes.…}'];

interface Variant {
  lang: string;
  text: string;
}

type Values = {
  title: string;
  shortcut: string;
  shared: string; // 'team' or 'me'
  tags: string[];
  variants: Variant[];
  default_lang: string;
};

function blank(team: boolean): Values {
  return { title: '', shortcut: '', shared: team ? 'team' : 'me', tags: [], variants: [{ lang: 'en', text: '' }], default_lang: 'en' };
}

function fromReply(c: Canned): Values {
  const variants = Object.entries(c.bodies).map(([lang, text]) => ({ lang, text }));
  variants.sort((a, b) => (a.lang === c.default_lang ? -1 : b.lang === c.default_lang ? 1 : a.lang.localeCompare(b.lang)));
  return { title: c.title, shortcut: c.shortcut, shared: c.shared ? 'team' : 'me', tags: c.tags, variants, default_lang: c.default_lang };
}

function ReplyForm({ editing, editsShared, onDone }: { editing: Canned | null; editsShared: boolean; onDone: (msg: string) => void }) {
  const f = useForm<Values>(editing ? fromReply(editing) : blank(false));
  const v = f.values;
  const setVariant = (i: number, patch: Partial<Variant>) =>
    f.set(
      'variants',
      v.variants.map((x, j) => (j === i ? { ...x, ...patch } : x)),
    );
  const bodiesErr = f.errors.bodies;
  const langs = v.variants.map((x) => x.lang.trim()).filter(Boolean);
  return (
    <form
      class="settings-card canned-form"
      aria-label={editing ? `Edit “${editing.title}”` : 'New saved reply'}
      onSubmit={f.submit(async (x) => {
        const bodies: Record<string, string> = {};
        for (const b of x.variants) if (b.lang.trim() || b.text.trim()) bodies[b.lang.trim()] = b.text;
        const body = {
          title: x.title,
          shortcut: x.shortcut.trim(),
          tags: x.tags,
          bodies,
          default_lang: langs.includes(x.default_lang) ? x.default_lang : langs[0],
          ...(editing ? {} : { shared: x.shared === 'team' }),
        };
        if (editing) await api('PUT', `/api/v1/canned/${editing.id}`, body);
        else await api('POST', '/api/v1/canned', body);
        onDone(editing ? `“${x.title}” saved.` : `“${x.title}” added. Type /${x.shortcut.trim()} in a reply to use it.`);
        return 'Saved.';
      })}
    >
      <h2>{editing ? `Edit “${editing.title}”` : 'New saved reply'}</h2>
      <TextField form={f} name="title" label="Title" maxLength={100} required placeholder="Refund on its way" />
      <TextField
        form={f}
        name="shortcut"
        label="Shortcut"
        maxLength={32}
        required
        placeholder="refund"
        spellcheck={false}
        hint="Type / and this in a reply to insert it. Lowercase letters, digits, - and _."
      />
      {editing ? (
        <p class="muted">{editing.shared ? 'The whole team can use this reply.' : 'Only you can see and use this reply.'}</p>
      ) : (
        <SelectField
          form={f}
          name="shared"
          label="Who can use it"
          options={editsShared ? [{ value: 'me', label: 'Only me' }, { value: 'team', label: 'The whole team' }] : [{ value: 'me', label: 'Only me' }]}
          hint={editsShared ? undefined : 'Admins and supervisors manage the team’s replies.'}
        />
      )}
      <fieldset id={`${f.id}-bodies`} tabIndex={-1} class={'canned-variants' + (bodiesErr ? ' field-invalid' : '')} aria-describedby={bodiesErr ? `${f.id}-bodies-err` : `${f.id}-bodies-hint`}>
        <legend>Text, per language</legend>
        <p class="field-hint" id={`${f.id}-bodies-hint`}>
          Hark fills these in for each customer: {VARIABLES.map((x, i) => <code key={x}>{x}{i < VARIABLES.length - 1 ? ' ' : ''}</code>)}. The customer’s language is used when you wrote one, else the default.
        </p>
        {v.variants.map((b, i) => (
          <div class="canned-variant" key={i}>
            <div class="canned-variant-head">
              <label for={`${f.id}-lang-${i}`}>Language</label>
              <input id={`${f.id}-lang-${i}`} class="canned-lang" value={b.lang} maxLength={16} placeholder="en" spellcheck={false} onInput={(e) => setVariant(i, { lang: (e.target as HTMLInputElement).value })} />
              {v.variants.length > 1 && (
                <button type="button" class="ghost" onClick={() => f.set('variants', v.variants.filter((_, j) => j !== i))} aria-label={`Remove the ${b.lang || 'new'} text`}>
                  Remove
                </button>
              )}
            </div>
            <label for={`${f.id}-text-${i}`} class="sr-only">
              Text in {b.lang || 'this language'}
            </label>
            <textarea id={`${f.id}-text-${i}`} rows={4} maxLength={8000} value={b.text} onInput={(e) => setVariant(i, { text: (e.target as HTMLTextAreaElement).value })} />
          </div>
        ))}
        {bodiesErr && (
          <p class="field-error" id={`${f.id}-bodies-err`} role="alert">
            {bodiesErr}
          </p>
        )}
        <button type="button" onClick={() => f.set('variants', [...v.variants, { lang: '', text: '' }])} disabled={v.variants.length >= 20}>
          Add a language
        </button>
      </fieldset>
      {langs.length > 1 && <SelectField form={f} name="default_lang" label="Default language" options={langs.map((l) => ({ value: l, label: l }))} hint="Used when the customer writes in a language without its own text." />}
      <ListField form={f} name="tags" label="Tags" maxLength={100} placeholder="billing, shipping" />
      <FormStatus form={f} />
      <div class="form-actions">
        <button class="primary" disabled={f.busy}>
          {editing ? 'Save changes' : 'Add reply'}
        </button>
        <button type="button" onClick={() => onDone('')}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function ReplyTable({ title, items, empty, onEdit, onDelete }: { title: string; items: Canned[]; empty: string; onEdit: (c: Canned) => void; onDelete: (c: Canned) => void }) {
  return (
    <section aria-label={title}>
      <h2>{title}</h2>
      {items.length === 0 ? (
        <p class="muted">{empty}</p>
      ) : (
        <table class="settings-table canned-table">
          <thead>
            <tr>
              <th scope="col">Reply</th>
              <th scope="col">Shortcut</th>
              <th scope="col">Languages</th>
              <th scope="col">Tags</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((c) => (
              <tr key={c.id}>
                <td>
                  <strong>{c.title}</strong>
                  <div class="canned-preview muted">{c.body}</div>
                </td>
                <td>
                  <code>/{c.shortcut}</code>
                </td>
                <td>{Object.keys(c.bodies).join(', ')}</td>
                <td>{c.tags.join(', ')}</td>
                <td class="canned-actions">
                  {c.editable ? (
                    <>
                      <button type="button" onClick={() => onEdit(c)} aria-label={`Edit ${c.title}`}>
                        Edit
                      </button>
                      <ConfirmButton label="Delete" question={`Delete “${c.title}”?`} onConfirm={() => onDelete(c)} />
                    </>
                  ) : (
                    <span class="muted">Team reply</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

type Override = Reply<'/api/v1/canned/overrides', 'get'>['items'][number];

// For admins and supervisors: who sends replies as they are despite the nudges, and how often.
function Overrides() {
  const [items, setItems] = useState<Override[] | null>(null);
  useEffect(() => {
    api<{ items: Override[] }>('GET', '/api/v1/canned/overrides')
      .then((r) => setItems(r.items))
      .catch(() => setItems([]));
  }, []);
  if (!items) return null;
  return (
    <section aria-label="Sent despite a nudge">
      <h2>Sent despite a nudge</h2>
      <p class="muted">Before a reply goes out, Hark suggests making it personal when it reads like a template. These agents sent replies as they were anyway; a high count is worth a chat, not a reprimand.</p>
      {items.length === 0 ? (
        <p class="muted">Nobody has yet.</p>
      ) : (
        <table class="settings-table canned-overrides">
          <thead>
            <tr>
              <th scope="col">Agent</th>
              <th scope="col">Replies sent anyway</th>
              <th scope="col">Last time</th>
            </tr>
          </thead>
          <tbody>
            {items.map((o) => (
              <tr key={o.agent_id}>
                <td>{o.name}</td>
                <td>{o.count === 1 ? '1 reply' : `${o.count} replies`}</td>
                <td>last on {clock(o.last_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function CannedScreen({ me }: ScreenProps) {
  // The role is a string the API may extend (supervisor, store_staff): compare it as one.
  const role: string = me.role ?? '';
  const editsShared = role === 'admin' || role === 'supervisor';
  const [items, setItems] = useState<Canned[] | null>(null);
  const [q, setQ] = useState('');
  const [editing, setEditing] = useState<Canned | 'new' | null>(null);
  const [notice, setNotice] = useState('');
  const [error, setError] = useState('');
  const load = () =>
    api<{ items: Canned[] }>('GET', `/api/v1/canned${qs({ q: q.trim().slice(0, 100), limit: 500 })}`)
      .then((r) => {
        setItems(r.items);
        setError('');
      })
      .catch((e) => setError(describe(e)));
  useEffect(() => {
    const t = setTimeout(load, 150);
    return () => clearTimeout(t);
  }, [q]);
  useSettingsChanged('canned', () => load());
  const done = (msg: string) => {
    setEditing(null);
    setNotice(msg);
    load();
  };
  const remove = async (c: Canned) => {
    try {
      await api('DELETE', `/api/v1/canned/${c.id}`);
      setNotice(`“${c.title}” deleted.`);
      load();
    } catch (e) {
      setError(describe(e));
    }
  };
  const team = (items ?? []).filter((c) => c.shared);
  const mine = (items ?? []).filter((c) => !c.shared);
  return (
    <div class="canned-screen">
      <p class="muted">Saved replies help you answer common questions fast. In a reply, type / and a shortcut (or press Ctrl+/) to insert one; Hark fills in the customer’s name and order for you. Add a personal line before sending, so it never reads like a robot.</p>
      <div class="canned-toolbar">
        <label for="canned-filter" class="sr-only">
          Search saved replies
        </label>
        <input id="canned-filter" type="search" placeholder="Search saved replies" value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
        {editing === null && (
          <button type="button" class="primary" onClick={() => { setNotice(''); setEditing('new'); }}>
            New saved reply
          </button>
        )}
      </div>
      {notice && (
        <p class="form-notice" role="status">
          {notice}
        </p>
      )}
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      {editing !== null && <ReplyForm key={editing === 'new' ? 'new' : editing.id} editing={editing === 'new' ? null : editing} editsShared={editsShared} onDone={done} />}
      {items === null ? (
        <p class="muted" aria-busy="true">Loading saved replies…</p>
      ) : (
        <>
          <ReplyTable title="My replies" items={mine} empty={q ? 'None of your replies match.' : 'You have no replies of your own yet.'} onEdit={(c) => setEditing(c)} onDelete={remove} />
          <ReplyTable
            title="Team replies"
            items={team}
            empty={q ? 'No team reply matches.' : editsShared ? 'No team replies yet: add the answers your team gives most.' : 'Your admins have not added team replies yet.'}
            onEdit={(c) => setEditing(c)}
            onDelete={remove}
          />
          {editsShared && <Overrides />}
        </>
      )}
    </div>
  );
}
