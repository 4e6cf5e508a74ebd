// live.ts - settings that change under an admin's eyes: another admin's save arrives as a
// `settings.changed` event (area, id, action, actor) and the screen showing that area reloads.
//
// A screen reloads its lists on the event; a form the admin is typing in keeps what was typed
// (useForm never resets on its own) and may show <ChangedBy> so they know to check.
import { useState } from 'preact/hooks';
import { useLive, LiveEvent } from '../live';

export function useSettingsChanged(area: string, reload: (e: LiveEvent) => void): LiveEvent | null {
  const [last, setLast] = useState<LiveEvent | null>(null);
  useLive(['settings.changed'], (e) => {
    if (e.area !== area) return;
    setLast(e);
    reload(e);
  });
  return last;
}

// "Maya Lopez changed this just now": shown when someone else saved while this screen was open.
export function ChangedBy({ event, meId }: { event: LiveEvent | null; meId: number }) {
  if (!event || !event.actor || event.actor.id === meId) return null;
  return (
    <p class="changed-by" role="status">
      {event.actor.name} changed {event.action?.endsWith('.delete') ? 'something here' : 'this'} just now; the list shows their change.
    </p>
  );
}
