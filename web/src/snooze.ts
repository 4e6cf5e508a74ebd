// snooze.ts - the snooze choices' times ('1h', 'tomorrow' 9:00, 'week': next Monday 9:00), in
// the agent's own time zone, as ISO strings for the API.
export function snoozeUntil(v: string, now = new Date()): string {
  const d = new Date(now);
  if (v === '1h') d.setHours(d.getHours() + 1);
  else if (v === 'tomorrow') {
    d.setDate(d.getDate() + 1);
    d.setHours(9, 0, 0, 0);
  } else if (v === 'week') {
    d.setDate(d.getDate() + ((8 - d.getDay()) % 7 || 7));
    d.setHours(9, 0, 0, 0);
  }
  return d.toISOString();
}
