import type { CapacityRow } from './capacity.js';
import { settingsLines } from './server-lines.js';

/**
 * A capacity plan's rows' engine commands as text lines (`serverLines`, what `search` prints): each GPU
 * type's plan, its label, then its servers; a plan the engine cannot start says why. The CLI prints these
 * lines and the editor's report shows them.
 */
export function capacityCommandLines(rows: readonly CapacityRow[]): string[] {
  return rows.flatMap((r) => {
    if (!r.plan) return [];
    if (!r.commands)
      return [`${r.hardware}: ${r.plan.label}: no command (${r.commandsUnavailable ?? 'none'})`];
    return [`${r.hardware}: ${r.plan.label}`, ...settingsLines(r.commands)];
  });
}
