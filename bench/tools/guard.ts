/**
 * Accuracy guard for a change to enhancement or extraction: `npm run guard -- '<options B>' ['<options A>']`.
 *
 * Enhances and extracts every print of the FVC sets in ../shared/data twice, with options A (default: the
 * defaults, `{}`) and B, each a JSON object `{ "enhance": EnhanceOptions, "extract": ExtractOptions }`,
 * compares all pairs with the project's matcher, and reports per set and pooled the EER of A and B, and
 * the paired subsets bootstrap of EER(B) - EER(A) over fingers (Bolle, Ratha & Pankanti 2004; 1,000
 * resamples, seed 1). A change is shown to cost (or gain) accuracy only when the interval of the difference
 * excludes 0; a single EER moving by a pair or two is what the choice of fingers does on its own.
 *
 * Example: `npm run guard -- '{"enhance":{"gabor":{"halfResolution":true}}}'`.
 * Needs ../shared/data (skips with a message when absent). About 2 x 25 s per set on one core.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { dataDir } from '../../test/helpers/data.js';
import { loadImage } from '../../src/image/io.js';
import { toGray } from '../../src/image/ops.js';
import { isRgb } from '../../src/image/types.js';
import { enhance, type EnhanceOptions } from '../../src/enhance/index.js';
import { extractMinutiae, type ExtractOptions } from '../../src/minutiae/index.js';
import { compare, prepare, allPairs, eerDifference, type PairScores, type PreparedTemplate } from '../../src/compare/index.js';

const SETS: ReadonlyArray<{ name: string; ppi: number }> = [
  { name: 'fvc2002-db1b', ppi: 500 },
  { name: 'fvc2002-db2b', ppi: 569 },
  { name: 'fvc2002-db4b', ppi: 500 },
  { name: 'fvc2004-db1b', ppi: 500 },
];

interface Options { enhance?: Omit<EnhanceOptions, 'ppi'>; extract?: ExtractOptions }

function parse(arg: string | undefined, which: string): Options {
  if (arg === undefined) return {};
  try {
    const o = JSON.parse(arg) as unknown;
    if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new Error('not a JSON object');
    const extra = Object.keys(o).filter((k) => k !== 'enhance' && k !== 'extract');
    if (extra.length > 0) throw new Error(`unknown key(s) ${extra.join(', ')}: use "enhance" and "extract"`);
    return o as Options;
  } catch (e) {
    process.stderr.write(`guard: options ${which} ${JSON.stringify(arg)}: ${(e as Error).message}\n`);
    process.exit(2);
  }
}

const [argB, argA] = process.argv.slice(2);
if (argB === undefined) {
  process.stderr.write("usage: npm run guard -- '<options B as JSON>' ['<options A as JSON>']\n");
  process.exit(2);
}
const B = parse(argB, 'B');
const A = parse(argA, 'A');
const pct = (x: number): string => (x * 100).toFixed(2);

const present = SETS.filter((s) => dataDir(s.name));
if (present.length === 0) {
  process.stdout.write('guard: ../shared/data has no FVC set: nothing to measure (skipped)\n');
  process.exit(0);
}

const pooled = { labels: [] as string[], a: [] as PairScores['pairs'], b: [] as PairScores['pairs'] };
const lines = ['| set | EER A % | EER B % | B - A (% points) | 95% CI of B - A | resamples with B lower |', '|---|---|---|---|---|---|'];
for (const s of present) {
  const dir = dataDir(s.name)!;
  const files = readdirSync(dir).filter((f) => f.endsWith('.tif')).sort();
  const labels: string[] = [];
  const ta: PreparedTemplate[] = [], tb: PreparedTemplate[] = [];
  for (const f of files) {
    const { image } = await loadImage(join(dir, f));
    const g = isRgb(image) ? toGray(image) : image;
    labels.push(f.split('_')[0]!);
    ta.push(prepare(extractMinutiae(enhance(g, { ...A.enhance, ppi: s.ppi }), A.extract), { id: f }));
    tb.push(prepare(extractMinutiae(enhance(g, { ...B.enhance, ppi: s.ppi }), B.extract), { id: f }));
  }
  const pa = allPairs(labels.map((label, i) => ({ label, item: ta[i]! })), (x, y) => compare(x, y).score).pairs;
  const pb = allPairs(labels.map((label, i) => ({ label, item: tb[i]! })), (x, y) => compare(x, y).score).pairs;
  // Here B - A: eerDifference gives its first argument minus its second.
  const d = eerDifference(labels, pb, pa);
  lines.push(`| ${s.name} | ${pct(d.b.eer)} | ${pct(d.a.eer)} | ${pct(d.difference)} | ${pct(d.low)} to ${pct(d.high)} | ${(d.shareALower * 100).toFixed(0)}% |`);
  process.stderr.write(`[guard] ${s.name} done\n`);
  const off = pooled.labels.length;
  pooled.labels.push(...labels.map((l) => `${s.name}/${l}`));
  pooled.a.push(...pa.map((p) => ({ ...p, a: p.a + off, b: p.b + off })));
  pooled.b.push(...pb.map((p) => ({ ...p, a: p.a + off, b: p.b + off })));
}
if (present.length > 1) {
  const d = eerDifference(pooled.labels, pooled.b, pooled.a);
  lines.push(`| pooled (${present.length} sets, pairs within sets) | ${pct(d.b.eer)} | ${pct(d.a.eer)} | ${pct(d.difference)} | ${pct(d.low)} to ${pct(d.high)} | ${(d.shareALower * 100).toFixed(0)}% |`);
}
process.stdout.write(`A = ${JSON.stringify(A)}\nB = ${JSON.stringify(B)}\n\n${lines.join('\n')}\n\nPaired subsets bootstrap over fingers (1,000 resamples, seed 1). The change is shown to matter only where the interval excludes 0.\n`);
