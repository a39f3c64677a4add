import { Command, CommanderError } from 'commander';
import { isServeTuneError } from '../engine/util/errors.js';
import { useReadableZodMessages } from '../engine/util/zod-messages.js';
import { registerBenchCommands } from './commands/bench.js';
import { registerCalibrateCommands } from './commands/calibrate.js';
import { registerCatalogCommands } from './commands/catalog.js';
import { registerCheckCommands } from './commands/check.js';
import { registerMemoryCommands } from './commands/memory.js';
import { registerProfileCommands } from './commands/profile.js';
import { registerSearchCommands } from './commands/search.js';
import { registerServeCommands } from './commands/serve.js';
import { registerSimulateCommands } from './commands/simulate.js';
import { registerTuneCommands } from './commands/tune.js';
import { registerValidateCommands } from './commands/validate.js';
import { checkFileOptions } from './file-options.js';
import { terminalSafe } from './format.js';

useReadableZodMessages();

const program = new Command()
  .name('servetune')
  .description('Choose how to serve an LLM: parallel plans, scheduler settings and engine flags.')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride()
  // Commander's own errors quote the argument given: shown as terminalSafe shows ours.
  .configureOutput({ writeErr: (text) => process.stderr.write(terminalSafe(text)) })
  .hook('preAction', (_program, command) => checkFileOptions(command));

registerCatalogCommands(program);
registerMemoryCommands(program);
registerProfileCommands(program);
registerSimulateCommands(program);
registerSearchCommands(program);
registerCheckCommands(program);
registerTuneCommands(program);
registerServeCommands(program);
registerBenchCommands(program);
registerValidateCommands(program);
registerCalibrateCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander already printed its message (or the help/version text).
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else if (isServeTuneError(error)) {
    console.error(`servetune: error: ${terminalSafe(error.message)}`);
    process.exitCode = 1;
  } else {
    console.error(
      `servetune: internal error: ${terminalSafe(error instanceof Error ? (error.stack ?? error.message) : String(error))}`,
    );
    process.exitCode = 70;
  }
}
