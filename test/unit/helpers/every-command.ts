import { Command } from 'commander';
import { registerBenchCommands } from '../../../src/cli/commands/bench.js';
import { registerCalibrateCommands } from '../../../src/cli/commands/calibrate.js';
import { registerCatalogCommands } from '../../../src/cli/commands/catalog.js';
import { registerCheckCommands } from '../../../src/cli/commands/check.js';
import { registerMemoryCommands } from '../../../src/cli/commands/memory.js';
import { registerProfileCommands } from '../../../src/cli/commands/profile.js';
import { registerSearchCommands } from '../../../src/cli/commands/search.js';
import { registerServeCommands } from '../../../src/cli/commands/serve.js';
import { registerSimulateCommands } from '../../../src/cli/commands/simulate.js';
import { registerTuneCommands } from '../../../src/cli/commands/tune.js';
import { registerValidateCommands } from '../../../src/cli/commands/validate.js';

/** Every CLI command registered on one program, as src/cli/main.ts registers them, none run. */
export function everyCommand(): Command {
  const program = new Command();
  for (const register of [
    registerCatalogCommands,
    registerMemoryCommands,
    registerProfileCommands,
    registerSimulateCommands,
    registerSearchCommands,
    registerCheckCommands,
    registerTuneCommands,
    registerServeCommands,
    registerBenchCommands,
    registerValidateCommands,
    registerCalibrateCommands,
  ]) {
    register(program);
  }
  return program;
}
