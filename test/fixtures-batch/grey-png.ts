/**
 * A small real batch task for the batch tests: decode an image with sharp, blur it with OpenCV, write
 * its grey PNG and its audit trail. Runs inline and in piscina workers.
 */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import sharp from 'sharp';
import { AuditTrail, describeInput } from '../../src/audit/trail.js';
import { getCv, grayFromMat, matFromGray, withMats } from '../../src/cv/index.js';
import { FingerliftError } from '../../src/errors.js';
import type { GrayImage } from '../../src/image/types.js';
import type { BatchJob, BatchTaskResult } from '../../src/batch/types.js';

export interface GreyPngOptions {
  sigma: number;
}

const FORMAT_OF_EXTENSION: Record<string, string> = { png: 'png', jpg: 'jpeg', jpeg: 'jpeg', tif: 'tiff', tiff: 'tiff', webp: 'webp' };

export async function greyPng(job: BatchJob<GreyPngOptions>): Promise<BatchTaskResult> {
  const bytes = await readFile(job.input);
  if (bytes.length === 0) throw new FingerliftError('E_TOO_SMALL', 'file is empty (0 bytes)', { input: job.input });
  let format: string | undefined;
  try {
    format = (await sharp(bytes).metadata()).format;
  } catch (e) {
    throw new FingerliftError('E_DECODE', `not a readable image: ${(e as Error).message}`, { input: job.input, cause: e });
  }
  const ext = extname(job.input).slice(1).toLowerCase();
  if (FORMAT_OF_EXTENSION[ext] !== format) throw new FingerliftError('E_DECODE', `content is ${format} but the extension says .${ext}`, { input: job.input });

  const trail = new AuditTrail({ command: 'grey-png', options: job.options });
  const grey = await trail.step('decode', { greyscale: true }, async (): Promise<GrayImage> => {
    try {
      const { data, info } = await sharp(bytes, { failOn: 'warning' }).greyscale().raw().toBuffer({ resolveWithObject: true });
      const out = new Float32Array(info.width * info.height);
      for (let i = 0; i < out.length; i++) out[i] = data[i]! / 255;
      return { width: info.width, height: info.height, data: out };
    } catch (e) {
      throw new FingerliftError('E_DECODE', `cannot decode: ${(e as Error).message}`, { input: job.input, cause: e });
    }
  });
  trail.setInput(describeInput(job.input, bytes, { width: grey.width, height: grey.height }));
  const blurred = trail.step('gaussian-blur', { sigma: job.options.sigma, ksize: 5 }, () => {
    const cv = getCv();
    return withMats('blur', (t) => {
      const src = t(matFromGray(grey));
      const dst = t(new cv.Mat());
      cv.GaussianBlur(src, dst, new cv.Size(5, 5), job.options.sigma, job.options.sigma, cv.BORDER_REFLECT_101);
      return grayFromMat(dst);
    });
  });
  const png = await trail.step('encode-png', { compressionLevel: 6 }, () => {
    const u8 = Buffer.alloc(blurred.data.length);
    for (let i = 0; i < u8.length; i++) u8[i] = Math.round(Math.min(1, Math.max(0, blurred.data[i]!)) * 255);
    return sharp(u8, { raw: { width: blurred.width, height: blurred.height, channels: 1 } }).png({ compressionLevel: 6 }).toBuffer();
  });
  await job.write('.png', png, trail);
  await job.writeTrail(trail);
  let sum = 0;
  for (const v of blurred.data) sum += v;
  return { fields: { width: grey.width, height: grey.height, meanGrey: Math.round((sum / blurred.data.length) * 1e6) / 1e6 } };
}

/**
 * Like greyPng, but an input whose name contains "crash" kills its worker thread (process.exit in a
 * worker ends only that thread), or throws a plain Error when run inline: both must fail that input
 * alone, with code E_INTERNAL.
 */
export async function greyPngOrCrash(job: BatchJob<GreyPngOptions>): Promise<BatchTaskResult> {
  if (basename(job.input).includes('crash')) {
    if (!isMainThread) process.exit(3);
    throw new Error('simulated bug');
  }
  return greyPng(job);
}
