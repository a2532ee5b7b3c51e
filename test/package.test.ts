/**
 * The package as a user installs it: `npm pack` (which builds dist/ through prepack), install the
 * tarball in an empty project, import it by name, run its bin.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './helpers/data.js';

const tmp = mkdtempSync(join(tmpdir(), 'fingerlift-pack-'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

test('npm pack -> install -> import { processPrint } from "fingerlift" and the fingerlift bin', () => {
  execFileSync(npm, ['pack', '--pack-destination', tmp, '--silent'], { cwd: repoRoot, stdio: 'pipe' });
  const tarball = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
  assert.ok(tarball, 'npm pack wrote a tarball');
  const app = join(tmp, 'app');
  spawnSync('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', type: 'module', private: true }));
  execFileSync(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', join(tmp, tarball!)], { cwd: app, stdio: 'pipe' });
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', "import * as f from 'fingerlift'; console.log(JSON.stringify([typeof f.processPrint, typeof f.liftPhoto, typeof f.compare, typeof f.loadImage, typeof f.FingerliftError]))"], { cwd: app, encoding: 'utf8' });
  assert.equal(JSON.parse(out), ['function', 'function', 'function', 'function', 'function']);
  const v = spawnSync(join(app, 'node_modules', '.bin', 'fingerlift'), ['--version'], { encoding: 'utf8' });
  assert.is(v.status, 0, v.stderr);
  assert.match(v.stdout, /^\d+\.\d+\.\d+/);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
