import type { Command } from 'commander';
import { resolveModelAsync } from '../../engine/model/resolve.js';
import type { DeviceProfile } from '../../engine/profile/schema.js';
import { modelOption, outputOption } from '../file-options.js';
import { printJson, table, writeJsonFile } from '../format.js';

interface ProfileFlags {
  quick?: boolean;
  model: string;
  out?: string;
  json?: boolean;
}

function printSummary(profile: DeviceProfile): void {
  const d = profile.derived;
  console.log(`${profile.adapter.description} (${profile.adapter.vendor}, ${profile.adapter.backend})`);
  console.log(
    table([
      ['measure', 'value'],
      ['timing', profile.timingMethod],
      ['peak f32', `${(d.peakFlopsPerSecond.f32 / 1e9).toFixed(2)} GFLOP/s`],
      [
        'peak f16',
        d.peakFlopsPerSecond.f16 === null ? 'n/a' : `${(d.peakFlopsPerSecond.f16 / 1e9).toFixed(2)} GFLOP/s`,
      ],
      ['copy bandwidth', `${(d.copyBytesPerSecond / 1e9).toFixed(2)} GB/s`],
      ['dispatch overhead', `${(profile.dispatchOverheadSeconds * 1e6).toFixed(1)} µs`],
      ['submit overhead', `${(profile.submitOverheadSeconds * 1e6).toFixed(0)} µs`],
      ['catalog match', profile.catalogId ?? 'none'],
      [
        'efficiency',
        d.efficiency
          ? `${(d.efficiency.vectorFp32 * 100).toFixed(1)}% fp32, ${(d.efficiency.memoryBandwidth * 100).toFixed(1)}% bandwidth`
          : 'n/a',
      ],
    ]),
  );
  if (profile.skipped.length > 0)
    console.log(`skipped ${profile.skipped.length}: see the profile's "skipped"`);
  if (profile.cancelled) console.log('cancelled: the profile holds what was measured before.');
}

export function registerProfileCommands(program: Command): void {
  program
    .command('profile')
    .description('measure this machine’s GPU with the WGSL kernel suite and write a device profile')
    .option('--quick', 'a short run (a smaller grid of shapes, fewer repetitions)')
    .addOption(
      modelOption(
        '--model <id|org/name|config.json>',
        'model whose attention and layer shapes to measure',
      ).default('llama-3.1-8b'),
    )
    .addOption(outputOption('--out <file>', 'write the profile JSON to this file'))
    .option('--json', 'print the profile JSON on stdout')
    .action(async (flags: ProfileFlags) => {
      const model = await resolveModelAsync(flags.model);
      // The GPU module loads the native WebGPU binding; only this command needs it.
      const { profileDevice } = await import('../../engine/profile/profiler.js');
      const controller = new AbortController();
      const onSigint = () => {
        process.stderr.write('\nservetune: interrupted; finishing with what was measured…\n');
        controller.abort();
      };
      process.once('SIGINT', onSigint);
      let profile: DeviceProfile;
      try {
        profile = await profileDevice({
          quick: flags.quick,
          model,
          signal: controller.signal,
          onProgress: (p) => {
            if (p.state === 'measuring') return;
            const mark = p.state === 'done' ? '' : 'skipped: ';
            process.stderr.write(
              `[${p.index}/${p.total} ${p.elapsedSeconds.toFixed(1)}s] ${p.what}: ${mark}${p.detail ?? ''}\n`,
            );
          },
        });
      } finally {
        process.off('SIGINT', onSigint);
      }
      if (flags.out) {
        writeJsonFile(flags.out, profile);
        process.stderr.write(`servetune: profile written to ${flags.out}\n`);
      }
      if (flags.json) printJson(profile);
      else printSummary(profile);
      if (profile.cancelled) process.exitCode = 130;
    });
}
