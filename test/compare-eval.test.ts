import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { evaluate, detCsv, allPairs } from '../src/compare/eval.js';
import { FingerliftError } from '../src/errors.js';

const close = (a: number, b: number, what: string): void => assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a} vs ${b}`);

test('separated scores: EER 0, FNMR 0 at both FMRs', () => {
  const e = evaluate([3, 4, 5], [0, 1, 2]);
  close(e.eer, 0, 'eer');
  for (const op of e.operatingPoints) { close(op.fnmr, 0, 'fnmr'); close(op.fmr, 0, 'fmr'); close(op.threshold, 3, 'threshold'); }
});

test('interleaved scores: FNMR and FMR cross at one threshold, EER 50 %', () => {
  const e = evaluate([2, 4, 6, 8], [1, 3, 5, 7]);
  close(e.eer, 0.5, 'eer');
  close(e.eerThreshold, 5, 'eer threshold');
  // FMR <= 1 %: no impostor may pass, t = 8, three of four genuine rejected
  close(e.operatingPoints[0]!.threshold, 8, 't');
  close(e.operatingPoints[0]!.fnmr, 0.75, 'fnmr');
});

test('FVC interval: EER is the midpoint of [FMR(t2), FNMR(t2)] when t2 is the closer side', () => {
  // t1 = 6 (FNMR 1/3 <= FMR 1/2), t2 = 10 (FNMR 1/3 >= FMR 0); 5/6 > 1/3 so the interval is [0, 1/3].
  const e = evaluate([5, 10, 11], [0, 6]);
  close(e.eerLow, 0, 'low');
  close(e.eerHigh, 1 / 3, 'high');
  close(e.eer, 1 / 6, 'eer');
});

test('FNMR at FMR 1 % and 0.1 % with 1,000 impostors', () => {
  const impostor = Array.from({ length: 1000 }, (_, i) => i);
  const e = evaluate([500.5, 995.5, 999.5, 2000], impostor);
  const [p1, p01] = e.operatingPoints;
  close(p1!.threshold, 990, 't1'); close(p1!.fmr, 0.01, 'fmr1'); close(p1!.fnmr, 0.25, 'fnmr1');
  close(p01!.threshold, 999, 't01'); close(p01!.fmr, 0.001, 'fmr01'); close(p01!.fnmr, 0.5, 'fnmr01');
  assert.is(e.genuineCount, 4);
  assert.is(e.impostorCount, 1000);
});

test('DET CSV and histograms account for every score', () => {
  const g = [0.5, 0.9, 0.9, 1.0], im = [0, 0.1, 0.5, 0.2, 0.2];
  const e = evaluate(g, im, { histogramBins: 4 });
  const lines = detCsv(e).trim().split('\n');
  assert.is(lines[0], 'threshold,fmr,fnmr');
  assert.is(lines.length, 1 + 7); // 6 distinct scores + one above the maximum
  assert.is(lines[lines.length - 1]!.split(',')[1], '0');
  assert.is(e.histogram.edges.length, 5);
  assert.is(e.histogram.genuine.reduce((a, b) => a + b, 0), 4);
  assert.is(e.histogram.impostor.reduce((a, b) => a + b, 0), 5);
  assert.is(e.histogram.genuine[3], 3); // 0.9, 0.9, 1.0 in the last bin [0.75, 1]
  // DET is monotone: FMR falls and FNMR rises with the threshold
  for (let k = 1; k < e.det.length; k++) assert.ok(e.det[k]!.fmr <= e.det[k - 1]!.fmr && e.det[k]!.fnmr >= e.det[k - 1]!.fnmr);
});

test('allPairs: FVC B-set counts (10 fingers x 8 impressions: 280 genuine, 2,880 impostor)', () => {
  const items = [];
  for (let f = 0; f < 10; f++) for (let k = 0; k < 8; k++) items.push({ id: `${101 + f}_${k + 1}`, label: String(101 + f), item: f });
  const r = allPairs(items, (a, b) => (a === b ? 1 : 0));
  assert.is(r.genuine.length, 280);
  assert.is(r.impostor.length, 2880);
  assert.ok(r.genuine.every((s) => s === 1) && r.impostor.every((s) => s === 0));
});

test('bad input: empty or non-finite scores throw E_INVALID_ARGUMENT naming the list', () => {
  for (const [g, i, word] of [[[], [1], 'genuine'], [[1], [], 'impostor'], [[NaN], [1], 'genuine']] as const) {
    try { evaluate(g, i); assert.unreachable(); } catch (e) {
      assert.instance(e, FingerliftError);
      assert.is((e as FingerliftError).code, 'E_INVALID_ARGUMENT');
      assert.match((e as Error).message, word);
    }
  }
});

test.run();
