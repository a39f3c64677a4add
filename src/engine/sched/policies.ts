import type { PolicyName } from './config.js';
import type { SchedulerPolicy } from './core.js';
import { LightllmPolicy } from './policies/lightllm.js';
import { OrcaPolicy } from './policies/orca.js';
import { SarathiPolicy } from './policies/sarathi.js';
import { SglangPolicy } from './policies/sglang.js';
import { StaticPolicy } from './policies/static.js';
import { VllmV0Policy } from './policies/vllm-v0.js';

/** A fresh policy instance (some keep state across steps, e.g. SGLang's new-token ratio): one per replica. */
export function createPolicy(name: PolicyName): SchedulerPolicy {
  switch (name) {
    case 'static':
      return new StaticPolicy();
    case 'orca':
      return new OrcaPolicy();
    case 'vllm-v0':
      return new VllmV0Policy();
    case 'sarathi':
    case 'vllm-v1':
      return new SarathiPolicy(name);
    case 'sglang':
      return new SglangPolicy();
    case 'lightllm':
      return new LightllmPolicy();
  }
}
