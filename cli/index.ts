/** The `storage` command's entry (bundled to cli/dist/storage.mjs by scripts/build-cli.mjs; cli/bin.mjs runs it). */
import { createActions, describeError } from './commands';
import { run, type Io } from './main';

const io: Io = { writeOut: (text) => void process.stdout.write(text), writeErr: (text) => void process.stderr.write(text) };
process.exitCode = await run(process.argv.slice(2), createActions(io), io, describeError);
