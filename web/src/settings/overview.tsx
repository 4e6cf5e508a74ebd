// overview.tsx - the settings landing page: every area with what it is for, in setup order.
import { AREAS, ScreenProps } from './areas';

export function Overview(_: ScreenProps) {
  const rest = AREAS.filter((a) => a.id !== 'overview');
  return (
    <div class="overview">
      <p class="muted">Set Hark up for your brand here. A sensible order: channels, business hours, teams, SLA policies, routing rules, then agents.</p>
      {rest.length === 0 ? (
        <p>No settings screens are available yet.</p>
      ) : (
        <ul class="overview-list">
          {rest.map((a) => (
            <li>
              <a href={`#/settings/${a.id}`}>{a.title}</a>
              <span class="muted"> — {a.summary}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
