/**
 * Move a Template into another pixel frame of the same print: the FVC `.iso` files, for example, were
 * made after stretching each image to 300 x 400 (MANIFEST.md), so their minutiae must be mapped back to
 * the real image size before they are compared with ours or drawn over the image.
 */
import { FingerliftError } from '../errors.js';
import type { Template } from '../minutiae/types.js';
import { wrapAngle } from '../minutiae/types.js';

/**
 * The template in a `width` x `height` frame. Pixel centres map to pixel centres
 * (x' = (x + 0.5) · W'/W − 0.5, likewise y); a direction a (the displacement (cos a, −sin a)) maps
 * through the same anisotropic scale, a' = atan2(sin a · sy, cos a · sx), so minutiae still point along
 * their ridges. A uniform scale (x and y factors within 1%) scales ppi; an anisotropic stretch has no
 * single resolution, so the template's ppi is kept. Minutia order, type and quality are kept.
 * @throws FingerliftError E_INVALID_ARGUMENT for a non-positive size.
 */
export function reframeTemplate(template: Template, width: number, height: number): Template {
  if (!(width > 0 && height > 0) || !Number.isFinite(width) || !Number.isFinite(height)) {
    throw new FingerliftError('E_INVALID_ARGUMENT', `reframeTemplate: size ${width} x ${height} is not positive`);
  }
  const sx = width / template.width;
  const sy = height / template.height;
  const same = sx === sy;
  const ppi = Math.abs(sx / sy - 1) < 0.01 ? template.ppi * sx : template.ppi;
  return {
    width,
    height,
    ppi,
    minutiae: template.minutiae.map((m) => ({
      ...m,
      // Always < the new size; only a shrink can push an edge pixel below 0.
      x: Math.max(0, (m.x + 0.5) * sx - 0.5),
      y: Math.max(0, (m.y + 0.5) * sy - 0.5),
      angle: same ? m.angle : wrapAngle(Math.atan2(Math.sin(m.angle) * sy, Math.cos(m.angle) * sx)),
    })),
  };
}
