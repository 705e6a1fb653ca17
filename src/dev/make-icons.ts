/**
 * `npm run icons`: draws the two Teams app icons into appPackage/ (they are committed; run this only
 * to change them). Colour: 192×192, full bleed, the accent colour behind a white phone with a check.
 * Outline: 32×32, the same drawing in white on transparent, as Teams requires for its app bar.
 * Shapes are signed distance functions sampled 4×4 per pixel, so edges are smooth at both sizes.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { REPO_ROOT } from './processes';

type Vec = [number, number];

/** The brand colour of the manifest's accentColor (#0F5CB8). */
export const ACCENT: readonly [number, number, number] = [0x0f, 0x5c, 0xb8];
const SAMPLES = 4;

/** Distance to the outline of a rounded rectangle centred at `c`. */
function roundedBox(p: Vec, c: Vec, half: Vec, r: number): number {
  const qx = Math.abs(p[0] - c[0]) - half[0] + r;
  const qy = Math.abs(p[1] - c[1]) - half[1] + r;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
}

/** Distance to the segment a–b. */
function segment(p: Vec, a: Vec, b: Vec): number {
  const [px, py] = [p[0] - a[0], p[1] - a[1]];
  const [bx, by] = [b[0] - a[0], b[1] - a[1]];
  const h = Math.max(0, Math.min(1, (px * bx + py * by) / (bx * bx + by * by)));
  return Math.hypot(px - bx * h, py - by * h);
}

/**
 * Is the point (in a 0…1 square) on the drawing? A phone outline with a speaker slot, and a check
 * mark on its screen: a device that made it into management.
 */
function onDrawing(x: number, y: number, style: Style): boolean {
  const p: Vec = [x, y];
  const s = style.stroke;
  const phone = Math.abs(roundedBox(p, [0.5, 0.5], [0.2, 0.33], 0.075)) - s / 2;
  // At 32 pixels the speaker slot would melt into the frame: the outline icon leaves it out.
  const speaker = style.speaker
    ? segment(p, [0.45, 0.245], [0.55, 0.245]) - s / 2.6
    : Number.POSITIVE_INFINITY;
  const [a, b, c] = style.check;
  const check = Math.min(segment(p, a, b), segment(p, b, c)) - s / 2;
  return Math.min(phone, speaker, check) <= 0;
}

interface Style {
  /** Line width, as a share of the icon's size. */
  stroke: number;
  speaker: boolean;
  check: [Vec, Vec, Vec];
}

const COLOR_STYLE: Style = {
  stroke: 0.055,
  speaker: true,
  check: [
    [0.38, 0.52],
    [0.47, 0.61],
    [0.63, 0.43],
  ],
};
const OUTLINE_STYLE: Style = {
  stroke: 0.08,
  speaker: false,
  check: [
    [0.4, 0.5],
    [0.47, 0.58],
    [0.6, 0.41],
  ],
};

/** Coverage 0…1 of one pixel by the drawing. */
function coverage(px: number, py: number, size: number, style: Style): number {
  let hits = 0;
  for (let i = 0; i < SAMPLES; i++) {
    for (let j = 0; j < SAMPLES; j++) {
      const x = (px + (i + 0.5) / SAMPLES) / size;
      const y = (py + (j + 0.5) / SAMPLES) / size;
      if (onDrawing(x, y, style)) hits++;
    }
  }
  return hits / (SAMPLES * SAMPLES);
}

export function colorIcon(size = 192): PNG {
  const png = new PNG({ width: size, height: size, colorType: 6 });
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const c = coverage(x, y, size, COLOR_STYLE);
      const i = (y * size + x) * 4;
      for (let k = 0; k < 3; k++) png.data[i + k] = Math.round(ACCENT[k]! * (1 - c) + 255 * c);
      png.data[i + 3] = 255;
    }
  }
  return png;
}

export function outlineIcon(size = 32): PNG {
  const png = new PNG({ width: size, height: size, colorType: 6 });
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4;
      png.data[i] = 255;
      png.data[i + 1] = 255;
      png.data[i + 2] = 255;
      png.data[i + 3] = Math.round(255 * coverage(x, y, size, OUTLINE_STYLE));
    }
  }
  return png;
}

if (require.main === module) {
  const dir = path.join(REPO_ROOT, 'appPackage');
  writeFileSync(path.join(dir, 'color.png'), PNG.sync.write(colorIcon()));
  writeFileSync(path.join(dir, 'outline.png'), PNG.sync.write(outlineIcon()));
  process.stdout.write('wrote appPackage/color.png (192×192) and appPackage/outline.png (32×32)\n');
}
