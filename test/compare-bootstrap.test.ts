import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { evaluate, allPairs } from '../src/compare/eval.js';
import { eerInterval, eerDifference } from '../src/compare/bootstrap.js';
import { FingerliftError } from '../src/errors.js';
import { Rng } from '../src/synthetic/random.js';

/** n fingers x k impressions; score = separation * genuine + noise, with a per-finger offset (fingers differ). */
function labelledSet(fingers: number, k: number, separation: number, seed: number, hardFingers = 0): { labels: string[]; pairs: ReturnType<typeof allPairs<number>>['pairs'] } {
  const rng = new Rng(seed);
  const labels: string[] = [];
  const items: Array<{ label: string; item: number }> = [];
  for (let f = 0; f < fingers; f++)
    for (let i = 0; i < k; i++) {
      labels.push(`f${f}`);
      items.push({ label: `f${f}`, item: f * 1000 + i });
    }
  const hard = new Set(Array.from({ length: hardFingers }, (_, i) => i));
  const noise = new Map<string, number>();
  const pairs = allPairs(items, (a, b) => {
    const fa = Math.floor(a / 1000), fb = Math.floor(b / 1000);
    const key = `${a},${b}`;
    if (!noise.has(key)) noise.set(key, rng.uniform(-1, 1) + rng.uniform(-1, 1));
    const genuine = fa === fb;
    // "Hard" fingers give weak genuine scores: the source of finger-to-finger variation.
    return noise.get(key)! + (genuine ? (hard.has(fa) ? separation * 0.3 : separation) : 0);
  }).pairs;
  return { labels, pairs };
}

test('eerInterval: the EER as given equals evaluate() on the same scores, inside its interval', () => {
  const { labels, pairs } = labelledSet(10, 8, 2.2, 7, 2);
  const e = evaluate(pairs.filter((p) => p.genuine).map((p) => p.score), pairs.filter((p) => !p.genuine).map((p) => p.score));
  const ci = eerInterval(labels, pairs, { resamples: 400 });
  assert.is(ci.eer, e.eer);
  assert.ok(e.eer > 0.01, `a set with overlap (EER ${e.eer})`);
  assert.ok(ci.low <= ci.eer && ci.eer <= ci.high, `${ci.low} <= ${ci.eer} <= ${ci.high}`);
  assert.ok(ci.high - ci.low > 0.005, `fingers differ, so the interval has width (${ci.low}-${ci.high})`);
  assert.is(ci.fingers, 10);
  assert.is(ci.resamples, 400);
});

test('eerInterval: more fingers give a narrower interval; seeded, so repeatable', () => {
  const few = labelledSet(8, 6, 2.2, 3, 2);
  const many = labelledSet(48, 6, 2.2, 3, 12);
  const a = eerInterval(few.labels, few.pairs, { resamples: 300 });
  const b = eerInterval(many.labels, many.pairs, { resamples: 300 });
  assert.ok(b.high - b.low < a.high - a.low, `48 fingers ${b.high - b.low} vs 8 fingers ${a.high - a.low}`);
  assert.equal(eerInterval(few.labels, few.pairs, { resamples: 300 }), a);
  assert.not.equal(eerInterval(few.labels, few.pairs, { resamples: 300, seed: 2 }), a);
});

test('eerDifference: a real improvement excludes 0; the same system against itself gives exactly 0', () => {
  const base = labelledSet(10, 8, 2.0, 11, 2);
  // B: the same pairs with the genuine scores raised (a better system); A = base.
  const better = base.pairs.map((p) => ({ ...p, score: p.score + (p.genuine ? 1.5 : 0) }));
  const d = eerDifference(base.labels, base.pairs, better, { resamples: 300 });
  assert.ok(d.difference > 0, `A worse: ${d.difference}`);
  assert.ok(d.low > 0, `interval excludes 0: [${d.low}, ${d.high}]`);
  assert.ok(d.shareALower < 0.05, `A lower in ${d.shareALower} of resamples`);
  const same = eerDifference(base.labels, base.pairs, base.pairs, { resamples: 100 });
  assert.is(same.difference, 0);
  assert.is(same.low, 0);
  assert.is(same.high, 0);
  assert.is(same.shareALower, 0.5);
});

test('eerDifference: paired resampling is tighter than the two separate intervals', () => {
  const base = labelledSet(10, 8, 2.0, 5, 3);
  const rng = new Rng(9);
  // B: a small per-pair perturbation of A (a "trivial setting change").
  const b = base.pairs.map((p) => ({ ...p, score: p.score + rng.uniform(-0.15, 0.15) }));
  const d = eerDifference(base.labels, base.pairs, b, { resamples: 300 });
  assert.ok(d.high - d.low < (d.a.high - d.a.low) / 2, `difference width ${d.high - d.low} vs A's interval ${d.a.high - d.a.low}`);
});

test('bootstrap: bad input is E_INVALID_ARGUMENT with the reason', () => {
  const { labels, pairs } = labelledSet(4, 3, 2, 1);
  const bad: Array<[string, () => unknown, RegExp]> = [
    ['resamples', () => eerInterval(labels, pairs, { resamples: 5 }), /resamples/],
    ['level', () => eerInterval(labels, pairs, { level: 1 }), /level/],
    ['labels', () => eerInterval([1, 2] as unknown as string[], pairs), /labels/],
    ['index', () => eerInterval(labels.slice(0, 3), pairs), /indices/],
    ['flag', () => eerInterval(labels, pairs.map((p, i) => (i === 0 ? { ...p, genuine: !p.genuine } : p))), /marked/],
    ['score', () => eerInterval(labels, pairs.map((p, i) => (i === 0 ? { ...p, score: NaN } : p))), /not finite/],
    ['one finger', () => eerInterval(['x', 'x', 'x'], [{ a: 0, b: 1, genuine: true, score: 1 }]), /at least 2/],
    ['no impostor', () => eerInterval(['x', 'x', 'y'], [{ a: 0, b: 1, genuine: true, score: 1 }]), /both are needed/],
    ['mismatched', () => eerDifference(labels, pairs, pairs.slice(1)), /same pairs/],
    ['reordered', () => eerDifference(labels, pairs, [...pairs].reverse()), /same pairs in the same order/],
  ];
  for (const [what, fn, re] of bad) {
    try {
      fn();
      assert.unreachable(`${what}: no error`);
    } catch (e) {
      assert.instance(e, FingerliftError, what);
      assert.is((e as FingerliftError).code, 'E_INVALID_ARGUMENT', what);
      assert.match((e as Error).message, re, what);
    }
  }
});

test.run();
