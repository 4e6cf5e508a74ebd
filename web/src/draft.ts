// draft.ts - what an agent has typed but not sent, kept per conversation in localStorage so a
// reload, a crash or opening another conversation loses nothing. Cleared on send. Drafts stay
// in this browser only (and go at logout); they hold customer-facing text, so they are never
// sent anywhere else.

const KEY = (id: number) => `hark.draft.${id}`;
const MAX = 16384;

export interface Draft {
  text: string;
  mode: 'reply' | 'note';
}

export function loadDraft(id: number): Draft | null {
  try {
    const v = JSON.parse(localStorage.getItem(KEY(id)) ?? 'null');
    if (v && typeof v.text === 'string' && (v.mode === 'reply' || v.mode === 'note')) return v;
  } catch {
    /* a broken entry is no draft */
  }
  return null;
}

export function saveDraft(id: number, d: Draft) {
  try {
    if (!d.text) localStorage.removeItem(KEY(id));
    else localStorage.setItem(KEY(id), JSON.stringify({ text: d.text.slice(0, MAX), mode: d.mode }));
  } catch {
    /* storage full or blocked: the draft lives only as long as the page */
  }
}

export const clearDraft = (id: number) => saveDraft(id, { text: '', mode: 'reply' });

// Logging out forgets every draft (a shared computer keeps no one's unsent replies).
export function clearAllDrafts() {
  try {
    for (let i = localStorage.length - 1; i >= 0; i--) {
      const k = localStorage.key(i);
      if (k && k.startsWith('hark.draft.')) localStorage.removeItem(k);
    }
  } catch {
    /* storage blocked: nothing was kept */
  }
}
