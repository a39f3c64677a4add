import type { Encoding, Insertion, Occurrence, ServingBlock, SharedText } from './block.js';
import { blockSettings } from './block.js';
import { longFlagFor } from './knobs/flag-spelling.js';
import { type Knob, type KnobValue, knobsFor, knobTable, normalizeName, yamlPathOf } from './knobs/index.js';
import {
  DEPLOYMENT_KEYS,
  PartialServingSettings,
  SETTING_LABELS,
  type SettingKey,
  type PartialServingSettings as Settings,
} from './serving-settings.js';
import { isSafeBare, shellQuote } from './shell.js';
import { formatLocation, type TextEdit } from './source.js';

export interface PlannedEdits {
  /** Non-overlapping edits, possibly in several files (a value set in a `.env` or a `--config` YAML). */
  edits: TextEdit[];
  /** Changes that could not be made, and why. The edits for the other changes are still valid. */
  problems: string[];
}

const YAML_SPECIAL = /^([-+]?(\d[\d_]*)?\.?\d*([eE][-+]?\d+)?|true|false|yes|no|on|off|null|~|)$/i;
const YAML_PLAIN = /^[A-Za-z0-9_./@-][A-Za-z0-9_./:=,+@-]*$/;

/** A value written in the given place's syntax; undefined when it cannot be written there safely. */
export function encodeValue(value: string, encoding: Encoding, typed = false): string | undefined {
  switch (encoding) {
    case 'shell':
      return shellQuote(value);
    case 'bare':
      return isSafeBare(value) ? value : undefined;
    case 'yaml-plain':
      // Items of command lists must stay strings: a plain 8 or true would turn into a number or boolean.
      return YAML_PLAIN.test(value) && !YAML_SPECIAL.test(value) ? value : JSON.stringify(value);
    case 'yaml-double':
      return JSON.stringify(value);
    case 'yaml-single':
      return `'${value.replace(/'/g, "''")}'`;
    case 'yaml-value':
      return YAML_PLAIN.test(value) && (typed || !YAML_SPECIAL.test(value)) ? value : JSON.stringify(value);
  }
}

function rawText(raw: KnobValue): string {
  return typeof raw === 'boolean' ? String(raw) : raw;
}

/**
 * The text edits that change exactly `changes` in one block: each value is rewritten where it stands,
 * in the style it is written in; settings the block does not set are added where the block's other
 * settings are (same list, same indentation, same continuation style). Nothing else is touched.
 */
export function planEdits(block: ServingBlock, changes: Settings): PlannedEdits {
  const problems: string[] = [];
  const parsed = PartialServingSettings.safeParse(changes);
  if (!parsed.success) {
    return {
      edits: [],
      problems: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    };
  }
  const current = blockSettings(block);
  const target: Settings = { ...current, ...parsed.data };
  const edits: TextEdit[] = [];
  const inserts = new Map<Insertion, string[]>();
  const done = new Set<string>();
  // What each edit changes, for the problem that names it when it cannot be made.
  const purpose = new Map<TextEdit | Insertion, string[]>();
  const note = (of: TextEdit | Insertion, key: SettingKey) =>
    purpose.set(of, [...(purpose.get(of) ?? []), SETTING_LABELS[key]]);

  for (const key of Object.keys(parsed.data) as SettingKey[]) {
    if (current[key] === parsed.data[key]) continue;
    if (DEPLOYMENT_KEYS.includes(key)) {
      const before = new Set<TextEdit | Insertion>([...edits, ...inserts.keys()]);
      setDeployment(block, key as 'replicas' | 'gpus', String(parsed.data[key]), edits, inserts, problems);
      for (const made of [...edits, ...inserts.keys()]) if (!before.has(made)) note(made, key);
      continue;
    }
    if (!block.engine) {
      problems.push(`${SETTING_LABELS[key]}: the block's engine is unknown`);
      continue;
    }
    const table = knobTable(block.engine);
    // The occurrence to rewrite: the one that sets this setting now, or the last of a knob that can carry
    // it (SGLang's `--chunked-prefill-size -1` carries no token budget but takes one).
    const carriers = new Set(knobsFor(block.engine, key).map((k) => k.id));
    const winner = block.settings[key];
    let index = winner?.occurrence;
    if (index === undefined) {
      for (let i = block.occurrences.length - 1; i >= 0; i--) {
        const o = block.occurrences[i];
        if (o.knob && carriers.has(o.knob) && o.overriddenBy === undefined) {
          index = i;
          break;
        }
      }
    }
    const occurrence = index !== undefined ? block.occurrences[index] : undefined;
    const knob = occurrence?.knob ? table.knobs.find((k) => k.id === occurrence.knob) : undefined;
    if (occurrence && knob && occurrence.edit) {
      if (done.has(`occurrence:${index}`)) continue;
      done.add(`occurrence:${index}`);
      done.add(`knob:${knob.id}`);
      const raw = knob.write(target);
      if (raw === undefined) {
        problems.push(
          `${SETTING_LABELS[key]}: ${block.engine} cannot express ${String(parsed.data[key])} with ${occurrence.spelling}`,
        );
        continue;
      }
      const edit = rewrite(occurrence, knob, raw);
      if (typeof edit === 'string') problems.push(`${SETTING_LABELS[key]}: ${edit}`);
      else if (edit) {
        edits.push(edit);
        note(edit, key);
      }
      continue;
    }
    // Not set in the file (or set where it cannot be edited, e.g. by a chart): add it.
    const candidates = knobsFor(block.engine, key);
    let added = false;
    for (const candidate of candidates) {
      if (done.has(`knob:${candidate.id}`)) {
        added = true;
        break;
      }
      const raw = candidate.write(target);
      if (raw === undefined) continue;
      const place = insertionFor(block, candidate);
      if (!place) continue;
      const text = insertText(block, place, candidate, raw);
      if (text === undefined) continue;
      if (!inserts.has(place)) inserts.set(place, []);
      inserts.get(place)!.push(text);
      note(place, key);
      done.add(`knob:${candidate.id}`);
      added = true;
      break;
    }
    if (!added) {
      problems.push(
        candidates.length === 0
          ? `${SETTING_LABELS[key]}: ${block.engine} has no knob for it`
          : `${SETTING_LABELS[key]}: no place in ${block.label} to add ${candidates[0].flag ?? candidates[0].env ?? candidates[0].id}`,
      );
    }
  }

  edits.push(...insertionEdits(inserts, purpose));
  const kept = edits.filter((edit) => {
    const shared = sharedAt(block, edit);
    if (shared.length === 0) return true;
    problems.push(sharedProblem(purpose.get(edit) ?? ['a setting'], shared, edit));
    return false;
  });
  return { edits: sortEdits(kept), problems };
}

/**
 * The edits that make the planned insertions. Insertions at one offset (a list ending where its parent
 * map ends) become one edit, the deeper indented text first, so the list's new items stay inside the
 * list; each edit's purpose is its insertions' settings.
 */
function insertionEdits(
  inserts: ReadonlyMap<Insertion, string[]>,
  purpose: Map<TextEdit | Insertion, string[]>,
): TextEdit[] {
  const byOffset = new Map<string, { place: Insertion; text: string }[]>();
  for (const [place, texts] of inserts) {
    const joined =
      place.kind === 'args-yaml-flow'
        ? texts.map((t, i) => (i === 0 ? t : `, ${t.replace(/^, /, '')}`)).join('')
        : texts.join('');
    const key = `${place.at.file}:${place.at.start.offset}`;
    if (!byOffset.has(key)) byOffset.set(key, []);
    byOffset.get(key)!.push({ place, text: joined });
  }
  return [...byOffset.values()].map((group) => {
    group.sort((a, b) => (b.place.indent?.length ?? 0) - (a.place.indent?.length ?? 0));
    const edit = { range: group[0].place.at, newText: group.map((g) => g.text).join('') };
    purpose.set(
      edit,
      group.flatMap((g) => purpose.get(g.place) ?? []),
    );
    return edit;
  });
}

/** The shared texts an edit would change (see `SharedText`): overlapping them, or inserting inside them. */
function sharedAt(block: ServingBlock, edit: TextEdit): SharedText[] {
  const { file, start, end } = edit.range;
  return (block.shared ?? []).filter((shared) => {
    const s = shared.range;
    if (s.file !== file) return false;
    return start.offset === end.offset
      ? s.start.offset < start.offset && start.offset < s.end.offset
      : start.offset < s.end.offset && end.offset > s.start.offset;
  });
}

function sharedProblem(settings: readonly string[], shared: readonly SharedText[], edit: TextEdit): string {
  const where = shared
    .map(
      (s) => `${s.what} (${formatLocation(s.range)}), also used at ${s.uses.map(formatLocation).join(', ')}`,
    )
    .join('; and in ');
  return `${[...new Set(settings)].join(', ')}: ${formatLocation(edit.range)} is in ${where}; ServeTune does not rewrite text that several places use: change it by hand, or give each place its own value`;
}

function setDeployment(
  block: ServingBlock,
  key: 'replicas' | 'gpus',
  value: string,
  edits: TextEdit[],
  inserts: Map<Insertion, string[]>,
  problems: string[],
): void {
  // Every place that states it changes together (Kubernetes GPU limits and requests must agree).
  const places = block.occurrences.filter((o) => o.knob === null && key in o.settings);
  const editable = places.filter((o) => o.edit);
  if (editable.length > 0) {
    for (const occurrence of editable) {
      const text = encodeValue(value, occurrence.edit!.encoding, true);
      if (text === undefined) problems.push(`${key}: cannot write '${value}' at ${occurrence.spelling}`);
      else edits.push({ range: occurrence.edit!.target, newText: text });
    }
    return;
  }
  const place = block.insertions.find((i) => i.kind === 'deployment-key' && i.setting === key);
  if (place && places.length === 0) {
    inserts.set(place, [`\n${place.indent ?? ''}${place.key}: ${value}`]);
    return;
  }
  problems.push(`${key}: ${block.label} states it where ServeTune cannot edit it`);
}

/** The edit that gives one occurrence a new raw value, or a reason it cannot. Null: already so. */
function rewrite(occurrence: Occurrence, knob: Knob, raw: KnobValue): TextEdit | string | null {
  const edit = occurrence.edit!;
  if (edit.form === 'value') {
    const text = encodeValue(rawText(raw), edit.encoding, knob.type !== 'string');
    return text === undefined
      ? `cannot write '${rawText(raw)}' there without quoting`
      : { range: edit.target, newText: text };
  }
  if (edit.form === 'flag=value') {
    const text = encodeValue(`${edit.flag}=${rawText(raw)}`, edit.encoding);
    return text === undefined
      ? `cannot write '${rawText(raw)}' there without quoting`
      : { range: edit.target, newText: text };
  }
  // A switch written as a flag.
  const on = typeof raw === 'boolean' ? raw : raw === 'true';
  const written = edit.flag ?? knob.flag ?? '';
  if (knob.kind === 'negatable') {
    const positive = written.replace(/^(-+)no[-_]/, '$1');
    const separator = written.includes('_') ? '_' : '-';
    const dashes = /^-+/.exec(written)?.[0] ?? '--';
    const flag = on ? positive : `${dashes}no${separator}${positive.replace(/^-+/, '')}`;
    const text = encodeValue(flag, edit.encoding);
    return text === undefined ? 'cannot write the flag here' : { range: edit.target, newText: text };
  }
  if (on)
    return occurrence.raw === true
      ? null
      : { range: edit.target, newText: encodeValue(written, edit.encoding) ?? written };
  return { range: edit.removal ?? edit.target, newText: '' };
}

/** The first insertion point that can take this knob (blocks list them in order of preference). */
function insertionFor(block: ServingBlock, knob: Knob): Insertion | undefined {
  const engine = block.engine!;
  let best: Insertion | undefined;
  for (const place of block.insertions) {
    switch (place.kind) {
      case 'args-shell':
      case 'args-yaml-block':
      case 'args-yaml-flow':
        if (knob.flag && !best) best = place;
        break;
      case 'yaml-map': {
        if (place.naming === 'camel') {
          if (place.onlyKnobs?.includes(knob.id) && !best) best = place;
          break;
        }
        const path = yamlPathOf(engine, knob);
        const prefix = place.path ?? [];
        if (!path || prefix.length >= path.length) break;
        if (!prefix.every((segment, i) => normalizeName(segment) === normalizeName(path[i]))) break;
        if (!best || (best.kind === 'yaml-map' && (best.path?.length ?? 0) < prefix.length)) best = place;
        break;
      }
      case 'env-k8s':
      case 'env-map':
      case 'env-list':
        if (knob.env && !knob.flag && !best) best = place;
        break;
      default:
        break;
    }
  }
  return best;
}

function camel(name: string): string {
  return name.replace(/^-+/, '').replace(/[-_]([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function insertText(block: ServingBlock, place: Insertion, knob: Knob, raw: KnobValue): string | undefined {
  const engine = block.engine!;
  const indent = place.indent ?? '';
  const encoding = place.encoding ?? 'shell';
  const flagWords = (): string[] | undefined => {
    // Spelt as the command's launcher takes it (Dynamo's TensorRT-LLM worker: `--max-batch-size`).
    const flag = longFlagFor(knob, block.flagWords);
    if (!flag) return undefined;
    if (knob.kind === 'value') return [flag, rawText(raw)];
    const on = raw === true || raw === 'true';
    if (on) return [flag];
    return knob.kind === 'negatable' ? [`--no-${flag.replace(/^-+/, '')}`] : [];
  };
  switch (place.kind) {
    case 'args-shell': {
      const words = flagWords()?.map((w) => encodeValue(w, encoding));
      if (!words || words.some((w) => w === undefined)) return undefined;
      return words.length === 0 ? '' : `${place.separator ?? ' '}${words.join(' ')}`;
    }
    case 'args-yaml-block': {
      const words = flagWords()?.map((w) => encodeValue(w, encoding));
      if (!words || words.some((w) => w === undefined)) return undefined;
      return words.map((w) => `\n${indent}- ${w}`).join('');
    }
    case 'args-yaml-flow': {
      const words = flagWords()?.map((w) => encodeValue(w, encoding));
      if (!words || words.some((w) => w === undefined)) return undefined;
      return words.length === 0 ? '' : `${place.separator ?? ', '}${words.join(', ')}`;
    }
    case 'yaml-map': {
      const value = encodeValue(rawText(raw), 'yaml-value', knob.type !== 'string');
      if (value === undefined) return undefined;
      if (place.naming === 'camel') return `\n${indent}${camel(knob.flag ?? knob.id)}: ${value}`;
      const path = yamlPathOf(engine, knob)!;
      const rest = path.slice(place.path?.length ?? 0);
      return rest
        .map(
          (segment, i) =>
            `\n${indent}${'  '.repeat(i)}${segment}:${i === rest.length - 1 ? ` ${value}` : ''}`,
        )
        .join('');
    }
    case 'env-k8s':
      return `\n${indent}- name: ${knob.env}\n${indent}  value: ${JSON.stringify(rawText(raw))}`;
    case 'env-map':
      return `\n${indent}${knob.env}: ${JSON.stringify(rawText(raw))}`;
    case 'env-list': {
      const item = encodeValue(`${knob.env}=${rawText(raw)}`, place.encoding ?? 'yaml-plain');
      return item === undefined ? undefined : `\n${indent}- ${item}`;
    }
    default:
      return undefined;
  }
}

function sortEdits(edits: TextEdit[]): TextEdit[] {
  return [...edits].sort(
    (a, b) => a.range.file.localeCompare(b.range.file) || a.range.start.offset - b.range.start.offset,
  );
}

/** Whether most of a text's lines end in CR LF (a Windows file), so new lines should too. */
function usesCrlf(text: string): boolean {
  let crlf = 0;
  let lf = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
    if (i > 0 && text[i - 1] === '\r') crlf++;
    else lf++;
  }
  return crlf > lf;
}

/**
 * Applies the edits for one file to its text. Edits must not overlap (planEdits never makes overlapping
 * ones); edits for other files are ignored.
 */
export function applyEdits(text: string, edits: readonly TextEdit[], file?: string): string {
  const crlf = usesCrlf(text);
  const mine = edits
    .filter((edit) => file === undefined || edit.range.file === file)
    .sort((a, b) => b.range.start.offset - a.range.start.offset || b.range.end.offset - a.range.end.offset);
  let result = text;
  let limit = Number.POSITIVE_INFINITY;
  for (const edit of mine) {
    const { start, end } = edit.range;
    if (end.offset > limit) throw new Error(`overlapping edits at ${start.line + 1}:${start.column + 1}`);
    if (end.offset > result.length || start.offset > end.offset) throw new Error('edit outside the text');
    // New lines end as the file's lines do.
    const newText = crlf ? edit.newText.replace(/\r?\n/g, '\r\n') : edit.newText;
    result = result.slice(0, start.offset) + newText + result.slice(end.offset);
    limit = start.offset;
  }
  return result;
}
