/**
 * Piscina worker for test/image-damage.test.ts: loads each of `inputs` (file bytes) `rounds` times, all at
 * once, and returns the decoder-warning notes of every load, in order (round by round).
 */
import { loadImage } from '../../src/image/io.js';

export default async function loadMany({ inputs, rounds }: { inputs: Uint8Array[]; rounds: number }): Promise<string[][]> {
  const loads: Promise<string[]>[] = [];
  for (let r = 0; r < rounds; r++)
    for (const bytes of inputs) loads.push(loadImage(bytes).then((l) => l.notes.filter((n) => n.startsWith('decoder warning'))));
  return Promise.all(loads);
}
