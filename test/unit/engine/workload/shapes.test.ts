import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadWorkload } from '../../../../src/engine/workload/load.js';
import { rateFactorAt } from '../../../../src/engine/workload/rate-curve.js';
import {
  generateWorkload,
  parseWorkloadMix,
  parseWorkloadSpec,
  printWorkloadSpec,
} from '../../../../src/engine/workload/spec.js';
import { SYNTHETIC_HASH_BLOCK_TOKENS } from '../../../../src/engine/workload/types.js';

const sharedLeading = (a: readonly number[], b: readonly number[]) => {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
};

describe('workload shapes: spec grammar', () => {
  it('parses every shape key and prints a spec that parses back the same', () => {
    const spec =
      'poisson:rate=3,n=50,curve=steps(0:1;60:4),system=1024,shared=0.5,templates=3,turns=uniform(2,5),think=fixed(7),tool=0.25,toolpause=fixed(2),class=chat,priority=2,accept=0.35';
    const w = parseWorkloadSpec(spec);
    assert.deepEqual(w.curve, {
      kind: 'steps',
      steps: [
        { at: 0, factor: 1 },
        { at: 60, factor: 4 },
      ],
    });
    assert.equal(w.systemTokens, 1024);
    assert.equal(w.sharedFraction, 0.5);
    assert.equal(w.templates, 3);
    assert.deepEqual(w.turns, { kind: 'uniform', min: 2, max: 5 });
    assert.equal(w.toolShare, 0.25);
    assert.equal(w.className, 'chat');
    assert.equal(w.priority, 2);
    assert.equal(w.acceptance, 0.35);
    assert.deepEqual(parseWorkloadSpec(printWorkloadSpec(w)), w);
    assert.ok(generateWorkload(w, 1, spec).requests.every((r) => r.acceptance === 0.35));
    for (const curve of ['diurnal(3600,0.2)', 'burst(60,5,10)']) {
      const c = parseWorkloadSpec(`poisson:rate=1,curve=${curve}`);
      assert.deepEqual(parseWorkloadSpec(printWorkloadSpec(c)), c);
    }
  });

  it('refuses shape keys that are out of range or need another, naming the key', () => {
    const bad: [string, RegExp][] = [
      ['poisson:rate=1,shared=0.5', /shared= needs system=/],
      ['poisson:rate=1,think=fixed(3)', /think= needs turns=/],
      ['poisson:rate=1,system=100,shared=1.5', /shared:/],
      ['poisson:rate=1,curve=steps(10:1;5:2)', /step times must increase/],
      ['poisson:rate=1,curve=diurnal(60,0)', /curve:/],
      ['poisson:rate=1,curve=sine(3)', /curve: 'sine'/],
      ['poisson:rate=1,class=has space', /class:/],
      ['poisson:rate=1,priority=0.5', /priority:/],
      ['poisson:rate=1,accept=1.5', /accept:/],
    ];
    for (const [spec, message] of bad) assert.throws(() => parseWorkloadSpec(spec), message, spec);
  });

  it('reads a class’s own targets in the --slo grammar and refuses them without a class', () => {
    const w = parseWorkloadSpec('poisson:rate=1,class=chat,slo=(ttft=500ms,tpot=0.05)');
    assert.deepEqual(w.slo, { ttft: 0.5, tpot: 0.05 });
    assert.deepEqual(parseWorkloadSpec(printWorkloadSpec(w)), w);
    assert.throws(() => parseWorkloadSpec('poisson:rate=1,slo=(ttft=1)'), /slo= needs class=/);
    assert.throws(() => parseWorkloadSpec('poisson:rate=1,class=a,slo=ttft=1'), /in parentheses/);
    const mix = loadWorkload('poisson:rate=1,n=3,class=a,slo=(ttft=1) + poisson:rate=1,n=3,class=b');
    assert.deepEqual(mix.classSlos, { a: { ttft: 1 } });
    assert.throws(
      () => loadWorkload('poisson:rate=1,class=a,slo=(ttft=1) + poisson:rate=1,class=a,slo=(ttft=2)'),
      /class a is given two different slo= targets/,
    );
  });

  it('splits a mix on + before an arrival process, not in an exponent', () => {
    const parts = parseWorkloadMix('poisson:rate=1e+1,class=a + gamma:rate=2,cv=2,class=b');
    assert.deepEqual(
      parts.map((p) => [p.arrival, p.rate, p.className]),
      [
        ['poisson', 10, 'a'],
        ['gamma', 2, 'b'],
      ],
    );
  });
});

describe('workload shapes: generation', () => {
  it('gives a shared system prompt to about the asked share of requests, one hash prefix per template', () => {
    const w = generateWorkload(
      parseWorkloadSpec('poisson:rate=10,n=2000,prompt=fixed(100),system=1000,shared=0.4,templates=2'),
      1,
    );
    assert.equal(w.hashBlockTokens, SYNTHETIC_HASH_BLOCK_TOKENS);
    const withPrefix = w.requests.filter((r) => r.promptTokens === 1100);
    assert.ok(Math.abs(withPrefix.length / 2000 - 0.4) < 0.04, `${withPrefix.length}`);
    const prefixes = new Set(withPrefix.map((r) => r.hashIds!.join(',')));
    assert.equal(prefixes.size, 2);
    assert.equal(withPrefix[0].hashIds!.length, Math.floor(1000 / SYNTHETIC_HASH_BLOCK_TOKENS));
    // Without the keys nothing changes: the same draws as before.
    const plain = generateWorkload(parseWorkloadSpec('poisson:rate=10,n=50,prompt=fixed(100)'), 1);
    assert.equal(plain.requests[0].hashIds, undefined);
  });

  it('draws sessions whose turns extend the previous prompt and answer and share its hash prefix', () => {
    const w = generateWorkload(
      parseWorkloadSpec(
        'poisson:rate=1,n=40,prompt=fixed(300),output=fixed(100),turns=fixed(4),think=fixed(6),tool=0.5,toolpause=fixed(1)',
      ),
      3,
    );
    assert.equal(w.requests.length, 40);
    for (let i = 1; i < w.requests.length; i++) {
      const [a, b] = [w.requests[i - 1], w.requests[i]];
      assert.ok(b.arrival >= a.arrival);
      if (b.turn === 0) continue;
      assert.equal(b.session, a.session);
      assert.equal(b.turn, a.turn! + 1);
      assert.equal(b.arrival, a.arrival, 'a session’s turns carry its start');
      assert.equal(b.promptTokens, a.promptTokens + a.outputTokens + 300);
      assert.equal(sharedLeading(a.hashIds!, b.hashIds!), a.hashIds!.length);
      assert.ok(b.thinkSeconds === 6 || b.thinkSeconds === 1);
    }
    assert.ok(w.requests.some((r) => r.thinkSeconds === 1) && w.requests.some((r) => r.thinkSeconds === 6));
    // Sessions do not share their own blocks.
    const firsts = w.requests.filter((r) => r.turn === 0);
    assert.equal(sharedLeading(firsts[0].hashIds!, firsts[1].hashIds!), 0);
  });

  it('keeps the first requests the same however many sessions are drawn', () => {
    const spec = 'poisson:rate=2,prompt=fixed(200),output=fixed(50),turns=uniform(1,6)';
    const few = loadWorkload(spec, { seed: 4, count: 15 }).requests;
    const many = loadWorkload(spec, { seed: 4, count: 200 }).requests;
    assert.deepEqual(few, many.slice(0, 15));
  });

  it('follows a rate curve: steps multiply the rate from their time on', () => {
    const w = generateWorkload(parseWorkloadSpec('poisson:rate=2,duration=200,curve=steps(0:1;100:5)'), 2);
    const early = w.requests.filter((r) => r.arrival < 100).length;
    const late = w.requests.length - early;
    assert.ok(early > 150 && early < 250, `${early}`);
    assert.ok(late > 4 * early * 0.8 && late < 5 * early * 1.25, `${late} vs ${early}`);
    assert.equal(rateFactorAt({ kind: 'diurnal', periodSeconds: 100, low: 0.2 }, 0), 0.2);
    assert.equal(rateFactorAt({ kind: 'diurnal', periodSeconds: 100, low: 0.2 }, 50), 1);
    assert.equal(rateFactorAt({ kind: 'burst', everySeconds: 60, lengthSeconds: 5, factor: 8 }, 62), 8);
    assert.equal(rateFactorAt({ kind: 'burst', everySeconds: 60, lengthSeconds: 5, factor: 8 }, 66), 1);
  });

  it('merges a mix by arrival with each stream’s class and priority, and --rate keeps their shares', () => {
    const spec = 'poisson:rate=1,n=100,class=interactive + poisson:rate=3,n=300,class=batch,priority=1';
    const w = loadWorkload(spec, { seed: 5 });
    assert.equal(w.requests.length, 400);
    for (let i = 1; i < 400; i++) assert.ok(w.requests[i].arrival >= w.requests[i - 1].arrival);
    const batch = w.requests.filter((r) => r.className === 'batch');
    assert.equal(batch.length, 300);
    assert.ok(batch.every((r) => r.priority === 1));
    assert.ok(w.requests.filter((r) => r.className === 'interactive').every((r) => r.priority === undefined));
    const scaled = loadWorkload(spec.replace(/n=\d+,/g, ''), { seed: 5, durationSeconds: 200, rate: 8 });
    const share = scaled.requests.filter((r) => r.className === 'batch').length / scaled.requests.length;
    assert.ok(Math.abs(share - 0.75) < 0.05, `${share}`);
    assert.ok(Math.abs(scaled.requests.length / 200 - 8) < 1, `${scaled.requests.length}`);
  });
});
