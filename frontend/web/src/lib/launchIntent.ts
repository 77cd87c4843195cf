/**
 * What the app was launched for, from the signed ``start_param`` (``?startapp=…`` of a t.me link):
 * ``hero_<KEY>`` opens the join form of that hero room. A launch is acted on once: not again after
 * the player navigates away, nor after a reload (launch parameters outlive a reload in
 * sessionStorage; the marker below remembers which launch was handled).
 */
/** The Create screen's join form, filled in, when the app was opened from a hero room's link. */
export interface HeroInviteState {
  heroKey: string;
}

const HERO = /^hero_([A-Za-z0-9]{4,12})$/;
const HANDLED_KEY = "chancetap.launchHandled";

/** The room key of a ``hero_<KEY>`` start parameter (upper-cased); null for anything else. */
export function heroKeyFromStartParam(startParam: string | null | undefined): string | null {
  const match = HERO.exec(startParam ?? "");
  return match?.[1] ? match[1].toUpperCase() : null;
}

/** A launch's identity: its initData's signature (a new launch is signed anew). */
function launchId(initData: string): string {
  const params = new URLSearchParams(initData);
  return params.get("hash") ?? params.get("signature") ?? initData;
}

let handledInMemory: string | null = null;

/** True the first time it is asked about this launch, false ever after. */
export function claimLaunch(initData: string, storage?: Storage): boolean {
  const id = launchId(initData);
  if (handledInMemory === id) return false;
  handledInMemory = id;
  try {
    const store = storage ?? window.sessionStorage;
    if (store.getItem(HANDLED_KEY) === id) return false;
    store.setItem(HANDLED_KEY, id);
  } catch {
    // no storage (a third-party frame): the in-memory marker covers this page's life
  }
  return true;
}

/** Tests: forget the in-memory marker. */
export function resetLaunchClaims(): void {
  handledInMemory = null;
}
