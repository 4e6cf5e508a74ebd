// shell.tsx - the admin console: navigation between the settings areas and the area's screen.
//
// Loaded on demand (app.tsx imports it lazily), so agents who never open settings never download
// it. The route is #/settings/<area>; an unknown area shows the overview. Who may open an area is
// decided by its `roles` here and, for real, by the API behind it.
import { useEffect, useRef } from 'preact/hooks';
import type { Agent } from '../api';
import { AREAS } from './areas';
import './settings.css';

export function Settings({ me, area }: { me: Agent; area?: string }) {
  const allowed = AREAS.filter((a) => a.roles.includes(me.role ?? ''));
  const current = allowed.find((a) => a.id === area) ?? allowed[0];
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = current ? `${current.title} · Settings · Hark` : 'Settings · Hark';
    heading.current?.focus();
    return () => {
      document.title = 'Hark';
    };
  }, [current?.id]);
  if (!current)
    return (
      <section class="settings settings-denied">
        <h1>Settings</h1>
        <p>Only an admin can change Hark's settings. Ask your care lead.</p>
        <a href="#/">Back to the inbox</a>
      </section>
    );
  const Screen = current.Screen;
  return (
    <div class="settings">
      <nav class="settings-nav" aria-label="Settings">
        <a class="settings-back" href="#/">
          ← Inbox
        </a>
        <ul>
          {allowed.map((a) => (
            <li>
              <a href={`#/settings/${a.id}`} aria-current={a.id === current.id ? 'page' : undefined}>
                {a.title}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <section class="settings-main" aria-labelledby="settings-title">
        <h1 id="settings-title" tabIndex={-1} ref={heading}>
          {current.title}
        </h1>
        <Screen key={current.id} me={me} />
      </section>
    </div>
  );
}
