import type { Command } from 'commander';
import { addBatchOptions, runBatchCommand, type BatchCliOptions } from '../batch-options.js';
import { numberIn, UsageError } from '../common.js';
import { PLAUSIBLE_PPI } from '../../src/image/io.js';
import type { PrintTaskOptions } from '../../src/tasks/print.js';
import { parsePsf } from '../../src/enhance/deblur/index.js';

interface PrintCli extends BatchCliOptions {
  ppi?: number;
  invert?: boolean;
  polarity?: 'auto' | 'dark' | 'light';
  psf?: string;
  deblurMethod?: 'wiener' | 'richardson-lucy';
  format?: 'xyt' | 'iso' | 'json';
  overlays?: boolean;
  overlay?: boolean;
  report?: boolean;
  imageKind?: string;
}

function common(cmd: Command): Command {
  return addBatchOptions(cmd)
    .option('--ppi <n>', 'resolution of the inputs, ppi (overrides the files; e.g. 569 for FVC2002 DB2_B)', numberIn('--ppi', PLAUSIBLE_PPI[0], PLAUSIBLE_PPI[1], ' (a print\'s resolution)'))
    .option('--polarity <p>', 'ridges in the input: auto, dark or light')
    .option('--image-kind <k>', 'auto (refuse colour finger photos: use lift) or print (process any input as a print)')
    .option('--invert', 'the input has light ridges on a dark ground (same as --polarity light)')
    .option('--psf <spec>', 'deblur first: auto, gaussian:<sigma>, disk:<radius>, motion:<length>:<degrees>')
    .option('--deblur-method <m>', 'wiener or richardson-lucy', 'wiener')
    .option('--report', 'also write <name>.report.html (self-contained)');
}

function taskOptions(o: PrintCli): PrintTaskOptions {
  if (o.invert && o.polarity !== undefined && o.polarity !== 'auto' && o.polarity !== 'light') throw new UsageError(`--invert means --polarity light: it contradicts --polarity ${o.polarity}`);
  if (o.imageKind !== undefined && !['auto', 'print'].includes(o.imageKind)) throw new UsageError(`--image-kind must be auto or print, got "${o.imageKind}"`);
  const polarity = o.invert ? 'light' : (o.polarity ?? 'auto');
  if (!['auto', 'dark', 'light'].includes(polarity)) throw new UsageError(`--polarity must be auto, dark or light, got "${polarity}"`);
  if (o.deblurMethod && !['wiener', 'richardson-lucy'].includes(o.deblurMethod)) throw new UsageError(`--deblur-method must be wiener or richardson-lucy`);
  if (o.psf && o.psf !== 'auto') {
    try {
      parsePsf(o.psf);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  const t: PrintTaskOptions = { polarity };
  if (o.imageKind === 'print') t.imageKind = 'print';
  if (o.ppi !== undefined) t.ppi = o.ppi;
  if (o.psf !== undefined) { t.psf = o.psf; t.deblurMethod = o.deblurMethod ?? 'wiener'; }
  if (o.report) t.report = true;
  return t;
}

export function register(program: Command): void {
  common(program.command('enhance'))
    .description('enhance contact prints: <name>.enhanced.png (500 ppi), overlays, trail')
    .argument('<images...>', 'image files, folders or globs')
    .option('--overlays', 'also write the mask, orientation, frequency and quality pictures')
    .action(async (images: string[], o: PrintCli) => {
      await runBatchCommand('enhance', images, o, 'print', 'enhanceTask', { ...taskOptions(o), ...(o.overlays ? { overlays: true } : {}) });
    });

  common(program.command('extract'))
    .description('extract minutiae: <name>.xyt|iso|json template, overlay, trail')
    .argument('<images...>', 'image files, folders or globs')
    .option('-f, --format <format>', 'template format: xyt (NIST), iso (ISO/IEC 19794-2:2005) or json', 'xyt')
    .option('--overlay', 'also draw the minutiae on the enhanced print')
    .action(async (images: string[], o: PrintCli) => {
      if (!['xyt', 'iso', 'json'].includes(o.format ?? 'xyt')) throw new UsageError(`--format must be xyt, iso or json, got "${o.format}"`);
      const format = o.format ?? 'xyt';
      // Only a JSON template records the decoder's warning ("decoderWarning"): for the others, said beside the warning.
      const unrecorded = format === 'json' ? undefined : `the .${format} template cannot record this warning (only the JSON template has a field for it, "decoderWarning"; use -f json); it is kept in the trail`;
      await runBatchCommand('extract', images, o, 'print', 'extractTask', { ...taskOptions(o), format, ...(o.overlay ? { overlay: true } : {}) }, unrecorded);
    });
}
