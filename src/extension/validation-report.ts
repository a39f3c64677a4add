import type { ValidationChartModel } from '../engine/protocol/webview.js';

/** A validation as Markdown: the same rows as the panel's table, the target, and where the JSON is. */
export function validationMarkdown(model: ValidationChartModel, file: string | null): string {
  const percent = (100 * model.target.maxRelativeError).toFixed(0);
  const lines = [
    `# ${model.title}`,
    '',
    model.subtitle,
    '',
    `**Target (${model.target.rule}): ${model.target.met ? 'met' : 'not met'}.** ${model.headline}.`,
    '',
    `| Metric | Predicted | Measured | Error | Within ${percent}% |`,
    '|---|---:|---:|---:|---|',
    ...model.rows.map(
      (r) =>
        `| ${r.label}${r.targeted ? ' (target)' : ''} | ${r.predictedText} | ${r.measuredText} | ${r.errorText} | ${r.withinTarget ? 'yes' : 'no'} |`,
    ),
    '',
    'Error = (predicted − measured) / measured.',
    '',
    ...model.notes.map((note) => `- ${note}`),
    '',
  ];
  if (file) lines.push(`The whole report (JSON, schema ValidationReport): \`${file}\``, '');
  return lines.join('\n');
}
