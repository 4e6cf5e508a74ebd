// route.ts - the app's location: a hash route (#/settings/teams, #/invite/<token>), so links can be
// shared and the server needs no routes of its own for the app's pages.
import { useEffect, useState } from 'preact/hooks';

export function currentRoute(): string[] {
  return location.hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter(Boolean)
    .map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return p;
      }
    });
}

export function go(path: string) {
  location.hash = path.startsWith('#') ? path : '#' + path;
}

// The route as path segments; re-renders on every change of the hash.
export function useRoute(): string[] {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const on = () => setRoute(currentRoute());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}
