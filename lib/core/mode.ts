/**
 * Quick mode: `BACKPROP_QUICK=1` shrinks training sizes so every notebook runs in CI in
 * seconds to a few minutes. Everything is still computed from the data — only sizes,
 * epochs and steps change. Full mode (the default) is what the README's main job runs.
 */

/** True when the environment variable `BACKPROP_QUICK` is set to `1`/`true`/`yes`. */
export function isQuickMode(): boolean {
  const v = (process.env.BACKPROP_QUICK ?? '').trim().toLowerCase();
  return v === '1' || v === 'true' || v === 'yes';
}

/** Picks the quick-mode value when in quick mode, the full-mode value otherwise. */
export function bySize<T>(sizes: { quick: T; full: T }): T {
  return isQuickMode() ? sizes.quick : sizes.full;
}
