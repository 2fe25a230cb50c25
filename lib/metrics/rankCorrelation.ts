/**
 * Spearman's rank correlation: Pearson's correlation of the ranks (ties share their mean rank),
 *
 *   ρ = cov(rank a, rank b) / (σ_rank a · σ_rank b)  ∈ [−1, 1]
 *
 * Used to ask whether a latent dimension orders sounds the way a descriptor does, whatever the
 * monotone scale between them. 0 when either input is constant.
 */
import { checkArgs } from '../core/validate';

/** Ranks 1..n of `v`, ties given their mean rank. */
export function ranks(v: ArrayLike<number>): Float64Array {
  const order = Array.from({ length: v.length }, (_, i) => i).sort((i, j) => v[i] - v[j]);
  const out = new Float64Array(v.length);
  for (let s = 0; s < order.length;) {
    let e = s;
    while (e + 1 < order.length && v[order[e + 1]] === v[order[s]]) e++;
    for (let k = s; k <= e; k++) out[order[k]] = (s + e) / 2 + 1;
    s = e + 1;
  }
  return out;
}

/** Pearson's correlation of two equal-length series (0 when either is constant). */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  checkArgs('pearson').require(
    a.length === b.length && a.length >= 2,
    `arguments 'a', 'b' expected equal lengths ≥ 2 but got ${a.length} and ${b.length}`,
  );
  const n = a.length;
  let ma = 0,
    mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i] / n;
    mb += b[i] / n;
  }
  let sab = 0,
    saa = 0,
    sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return saa === 0 || sbb === 0 ? 0 : sab / Math.sqrt(saa * sbb);
}

/** Spearman's ρ of two equal-length series. */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  checkArgs('spearman').require(
    a.length === b.length && a.length >= 2,
    `arguments 'a', 'b' expected equal lengths ≥ 2 but got ${a.length} and ${b.length}`,
  );
  for (const [name, v] of [
    ['a', a],
    ['b', b],
  ] as const) {
    for (let i = 0; i < v.length; i++)
      checkArgs('spearman').require(
        Number.isFinite(v[i]),
        `argument '${name}' has a non-finite value ${v[i]} at index ${i}`,
      );
  }
  return pearson(ranks(a), ranks(b));
}
