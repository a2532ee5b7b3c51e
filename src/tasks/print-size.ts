/**
 * The enhancement size limit of a contact print, decided from its file header before the pixels are
 * decoded: a print whose size at 500 ppi is over MAX_ENHANCE_PIXELS is refused by `processPrint` after
 * decoding (a 9999 x 9999 print cost 6.3 s and 2.0 GB to reach that refusal); when its resolution is known
 * without the pixels (the caller's --ppi, or a plausible one the file declares), the same decision is
 * taken from the header alone.
 */
import { MAX_ENHANCE_PIXELS } from '../enhance/index.js';
import type { ImageHeader } from '../image/io.js';

/**
 * Why a print of this header is too large to enhance (the message `processPrint` gives, said to come from
 * the header), or undefined when it is not, or when that cannot be decided from the header: a file that
 * declares no plausible resolution, without `ppi`, has its resolution decided from its ridge period after
 * decoding (anything from 200 to 20000 ppi), so its size at 500 ppi is not known before.
 * @param header size (pixels) and plausible declared resolution (ppi) from `readImageHeader`.
 * @param ppi the caller's resolution, ppi (overrides the file's, as in `processPrint`).
 */
export function printTooLargeFromHeader(header: Pick<ImageHeader, 'width' | 'height' | 'ppi'>, ppi?: number): string | undefined {
  const res = ppi ?? header.ppi;
  if (res === undefined || !(res > 0)) return undefined;
  // As processPrint: k = 500 / ppi, each side rounded (EXIF orientation swaps the sides, not the product).
  const k = 500 / res, w = Math.round(header.width * k), h = Math.round(header.height * k);
  if (w * h <= MAX_ENHANCE_PIXELS) return undefined;
  return `${header.width} x ${header.height} px at ${res} ppi (${ppi !== undefined ? 'given' : "the file's"})${k !== 1 ? ` is ${w} x ${h} px at 500 ppi,` : ' is'} over the enhancement limit of ${MAX_ENHANCE_PIXELS / 1e6} million pixels (a palm at 500 ppi is about 11 million): crop the print to the region to examine (refused from the file's header, before decoding)`;
}
