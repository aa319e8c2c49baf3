/**
 * Converts two real public UCI datasets, as shipped inside Debian's `python3-sklearn` package, into Modality
 * Studio dataset folders — worked examples of the format on data nobody generated for us:
 *
 * - `uci-breast-cancer`: Breast Cancer Wisconsin (Diagnostic), 569 tumours, malignant vs benign. Its 30
 *   features are 10 cell-nucleus measurements each summarised three ways, which we take as three vector
 *   views: `mean.*`, `se.*` (standard error) and `worst.*` (manifest.csv with NAME.FEATURE columns).
 * - `uci-optdigits`: Optical Recognition of Handwritten Digits, 1,797 8×8 digits (values 0–16); the top and
 *   bottom halves are two 4×8 one-channel image views stored as .npy files.
 *
 * Usage: npx tsx scripts/uci-examples.ts OUT_DIR [--sklearn-data DIR]
 * Without --sklearn-data it reads an installed python3-sklearn, or fetches the package with
 * `apt-get download` into a temporary folder and unpacks it with `dpkg-deb -x` (nothing is installed).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { encodeNpy } from '../engine/data/formats/npy';

const SKLEARN_DATA = 'usr/lib/python3/dist-packages/sklearn/datasets/data';
const MEASUREMENTS = [
  'radius',
  'texture',
  'perimeter',
  'area',
  'smoothness',
  'compactness',
  'concavity',
  'concave_points',
  'symmetry',
  'fractal_dimension',
];

function sklearnDataDir(given: string | undefined, temp: string): string {
  if (given) return given;
  const installed = path.join('/', SKLEARN_DATA);
  if (fs.existsSync(path.join(installed, 'breast_cancer.csv'))) return installed;
  process.stderr.write(
    `Fetching Debian's python3-sklearn package into ${temp} (apt-get download; nothing is installed)…\n`,
  );
  execFileSync('apt-get', ['download', 'python3-sklearn'], { cwd: temp, stdio: ['ignore', 'ignore', 'inherit'] });
  const deb = fs.readdirSync(temp).find((name) => name.endsWith('.deb'));
  if (!deb) throw new Error(`apt-get download left no .deb in ${temp}; run 'apt-get update' first.`);
  execFileSync('dpkg-deb', ['-x', path.join(temp, deb), path.join(temp, 'root')]);
  return path.join(temp, 'root', SKLEARN_DATA);
}

function writeBreastCancer(source: string, out: string): void {
  const lines = fs.readFileSync(path.join(source, 'breast_cancer.csv'), 'utf8').trim().split('\n');
  const classNames = (lines[0] ?? '').split(',').slice(2); // "569,30,malignant,benign"
  const views = ['mean', 'se', 'worst'];
  const header = ['id', 'label', ...views.flatMap((view) => MEASUREMENTS.map((m) => `${view}.${m}`))];
  const rows = lines.slice(1).map((line, i) => {
    const cells = line.split(',');
    const label = classNames[Number(cells[30])] ?? cells[30];
    return [`wdbc${String(i + 1).padStart(3, '0')}`, label, ...cells.slice(0, 30)].join(',');
  });
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'manifest.csv'), `${[header.join(','), ...rows].join('\n')}\n`);
  fs.writeFileSync(
    path.join(out, 'dataset.json'),
    `${JSON.stringify({ name: 'uci-breast-cancer', description: 'UCI Breast Cancer Wisconsin (Diagnostic): three views (mean, standard error, worst) of 10 nucleus measurements.' }, null, 2)}\n`,
  );
}

function writeOptdigits(source: string, out: string): void {
  const rows = zlib
    .gunzipSync(fs.readFileSync(path.join(source, 'digits.csv.gz')))
    .toString('utf8')
    .trim()
    .split('\n');
  const manifest = ['id,label,top,bottom'];
  fs.mkdirSync(path.join(out, 'top'), { recursive: true });
  fs.mkdirSync(path.join(out, 'bottom'), { recursive: true });
  rows.forEach((line, i) => {
    const values = line.split(',').map(Number);
    const label = String(values[64]);
    const pixels = Float32Array.from(values.slice(0, 64), (v) => v / 16);
    const id = `digit${String(i + 1).padStart(4, '0')}`;
    fs.writeFileSync(path.join(out, 'top', `${id}.npy`), encodeNpy(pixels.slice(0, 32), [4, 8]));
    fs.writeFileSync(path.join(out, 'bottom', `${id}.npy`), encodeNpy(pixels.slice(32), [4, 8]));
    manifest.push(`${id},${label},top/${id}.npy,bottom/${id}.npy`);
  });
  fs.writeFileSync(path.join(out, 'manifest.csv'), `${manifest.join('\n')}\n`);
  fs.writeFileSync(
    path.join(out, 'dataset.json'),
    `${JSON.stringify({ name: 'uci-optdigits', description: 'UCI optical digits (8x8): top and bottom halves as two 4x8 image views.' }, null, 2)}\n`,
  );
}

const args = process.argv.slice(2);
const outDir = args[0];
if (!outDir || outDir.startsWith('--')) {
  process.stderr.write('Usage: npx tsx scripts/uci-examples.ts OUT_DIR [--sklearn-data DIR]\n');
  process.exit(2);
}
const flag = args.indexOf('--sklearn-data');
for (const name of ['uci-breast-cancer', 'uci-optdigits']) {
  if (fs.existsSync(path.join(outDir, name))) {
    process.stderr.write(
      `${path.join(outDir, name)} exists already; choose another OUT_DIR so nothing is overwritten.\n`,
    );
    process.exit(1);
  }
}
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'sklearn-deb-'));
try {
  const source = sklearnDataDir(flag >= 0 ? args[flag + 1] : undefined, temp);
  writeBreastCancer(source, path.join(outDir, 'uci-breast-cancer'));
  writeOptdigits(source, path.join(outDir, 'uci-optdigits'));
} finally {
  fs.rmSync(temp, { recursive: true, force: true });
}
process.stdout.write(`Wrote ${path.join(outDir, 'uci-breast-cancer')} and ${path.join(outDir, 'uci-optdigits')}.\n`);
