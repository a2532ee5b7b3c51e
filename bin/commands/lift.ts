import type { Command } from 'commander';
import { addBatchOptions, runBatchCommand, type BatchCliOptions } from '../batch-options.js';
import { numberIn, UsageError } from '../common.js';
import { PHOTO_PPI_RANGE } from '../../src/normalise/index.js';
import { parsePsf } from '../../src/enhance/deblur/index.js';
import type { LiftTaskOptions } from '../../src/tasks/lift.js';
import { printable } from '../../src/errors.js';

export function register(program: Command): void {
  addBatchOptions(program.command('lift'))
    .description('lift fingerprints from photos: per fingertip <name>.f<k>.png (500 ppi) and .f<k>.json, <name>.lift.json, trail')
    .argument('<photos...>', 'photo files, folders or globs')
    .option('--ppi <n>', 'resolution of the photo at the fingertips, ppi, when known (else estimated from the ridge period)', numberIn('--ppi', PHOTO_PPI_RANGE[0], PHOTO_PPI_RANGE[1], ' (ppi at the fingertips)'))
    .option('--no-mirror', 'do not mirror to the view of a contact print')
    .option('--psf <spec>', 'deblur each fingertip: auto, or in photo pixels gaussian:<sigma>, disk:<radius>, motion:<length>:<degrees>')
    .option('--deblur-method <m>', 'wiener or richardson-lucy', 'wiener')
    .option('--overlays', 'also write the boxes on the photo and the minutiae on each print')
    .option('--report', 'also write <name>.report.html (self-contained)')
    .option('--image-kind <k>', 'auto (refuse a grey image that looks like a contact print: use extract) or photo (lift any input)')
    .action(async (photos: string[], o: BatchCliOptions & { ppi?: number; mirror: boolean; psf?: string; deblurMethod?: 'wiener' | 'richardson-lucy'; overlays?: boolean; report?: boolean; imageKind?: string }) => {
      if (o.imageKind !== undefined && !['auto', 'photo'].includes(o.imageKind)) throw new UsageError(`--image-kind must be auto or photo, got "${o.imageKind}"`);
      if (o.psf && o.psf !== 'auto') {
        try {
          parsePsf(o.psf);
        } catch (e) {
          throw new UsageError((e as Error).message);
        }
      }
      const t: LiftTaskOptions = { mirror: o.mirror };
      if (o.ppi !== undefined) t.ppi = o.ppi;
      if (o.psf !== undefined) { t.psf = o.psf; t.deblurMethod = o.deblurMethod ?? 'wiener'; }
      if (o.overlays) t.overlays = true;
      if (o.report) t.report = true;
      if (o.imageKind === 'photo') t.imageKind = 'photo';
      const r = await runBatchCommand('lift', photos, o, 'lift', 'liftTask', t);
      // A photo lifted without a usable print is done (its boxes and reasons are in <name>.lift.json), but
      // the user must not take "done" for "a print to compare": say so.
      const none = r.done.filter((d) => d.status === 'done' && d.fields.usable === 0);
      if (none.length > 0) {
        process.stderr.write(`lift: no usable fingertip in ${none.length} photo(s) (boxes and reasons in <name>.lift.json): ${none.slice(0, 5).map((d) => printable(d.name)).join(', ')}${none.length > 5 ? ', ...' : ''}\n`);
        // Damage the decoder worked around may be why: said, not left in the trail's notes.
        const warned = none.filter((d) => d.fields.decoderWarning === true);
        if (warned.length > 0)
          process.stderr.write(`lift: the decoder warned of damaged data in ${warned.length} of them (decoded anyway; pixels may differ from the original capture): ${warned.slice(0, 5).map((d) => printable(d.name)).join(', ')}${warned.length > 5 ? ', ...' : ''}\n`);
      }
    });
}
