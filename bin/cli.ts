/**
 * fingerlift command line. Parses arguments, calls the library, prints; no image logic here.
 * Exit codes: 0 all inputs done, 1 some input failed (the others processed and reported), 2 usage error.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { EXIT_SOME_FAILED, EXIT_USAGE, UsageError, refuseOptionsWithoutTheirPartner, refuseRepeatedOptions, stdoutWriteFailure } from './common.js';
import { escapeControls, humanText } from '../src/errors.js';
import { register as registerInfo } from './commands/info.js';
import { register as registerPrint } from './commands/print.js';
import { register as registerLift } from './commands/lift.js';
import { register as registerVerify } from './commands/verify.js';
import { register as registerCompare } from './commands/compare.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url).pathname.replace(/\/dist\/package\.json$/, '/package.json'), 'utf8')) as { version: string };

// A reader that stops early (`fingerlift info ... | head -1`) closes the pipe: stop writing, keep the exit
// status (the work already done stands; outputs on disk are complete). Any other failure to write stdout
// (a full disk, `> /dev/full`, a quota, an I/O error) is one typed line on stderr and exit 1, not a stack
// trace; one of stderr itself cannot be reported anywhere: exit 1.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    if (stream === process.stdout) {
      try {
        process.stderr.write(`error: [E_WRITE] ${stdoutWriteFailure(e)}\n`);
      } catch {
        // stderr cannot be written either: the exit status is all there is.
      }
    }
    process.exit(EXIT_SOME_FAILED);
  });

const program = new Command();
program
  .name('fingerlift')
  .description('Lift fingerprints out of photographs for forensic comparison: locate, normalise, enhance, extract minutiae, compare, report.')
  .version(pkg.version, '-V, --version')
  .showHelpAfterError()
  .exitOverride()
  // Commander quotes what it did not understand (an option, a command) as typed: a line break or another
  // control character in it is escaped (`escapeControls`), so that it cannot split or forge a
  // line; the suggestion Commander may add on its own line ("(Did you mean info?)") stays there.
  .configureOutput({
    outputError: (text, write) => {
      const m = /^([\s\S]*?)(\n\(Did you mean [^\n]*\?\))?\n?$/.exec(text)!;
      write(`${escapeControls(m[1]!)}${m[2] ?? ''}\n`);
    },
  });

registerInfo(program);
registerPrint(program);
registerLift(program);
registerCompare(program);
registerVerify(program);
// An option that takes a value, given twice, is a usage error naming both values (not the last one kept silently).
refuseRepeatedOptions(program);
// An option that means nothing without another (--deblur-method without --psf) is a usage error, not ignored.
refuseOptionsWithoutTheirPartner(program);

/**
 * A usage error of a command that takes --json, run with --json: stdout still holds one JSON document
 * (`{ usageError, failed: 0, failures: [] }`, no input was processed), as it does for every other outcome.
 */
function usageJson(message: string): void {
  const end = process.argv.indexOf('--');
  const args = end < 0 ? process.argv.slice(2) : process.argv.slice(2, end);
  if (['info', 'compare', 'search', 'eval', 'verify'].includes(args[0] ?? '') && args.includes('--json'))
    process.stdout.write(JSON.stringify({ usageError: message.replace(/^error: /, ''), failed: 0, failures: [] }, null, 2) + '\n');
}

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exitCode = e.exitCode === 0 ? 0 : EXIT_USAGE;
    if (e.exitCode !== 0) usageJson(e.message);
  } else if (e instanceof UsageError) {
    // One line whatever the message quotes (a path holding a line break is escaped, not printed raw).
    process.stderr.write(humanText`error: ${e.message}\n`);
    usageJson(e.message);
    process.exitCode = EXIT_USAGE;
  } else throw e;
}
