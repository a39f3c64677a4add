import type { ModelSpec } from '../model/spec.js';
import type { Calibration } from './calibration.js';
import { vllmUnresolvedCaptureTokens } from './cuda-graph-capture.js';
import { promptStepHostSeconds } from './eager-prompt-steps.js';
import {
  EAGER_LAUNCH_SECONDS,
  ENGINE_OVERHEADS,
  type EngineKernels,
  type EngineOverhead,
  type ServingEngine,
} from './serving-engine.js';
import type { BatchShape } from './shape.js';
import type { StepTiming } from './step-timing.js';

/** What a step's host cost reads of the plan and the engine. */
export interface StepHostCostSetup {
  model: ModelSpec;
  /** Pipeline stages of the replica. */
  pp: number;
  calibration: Calibration;
  /** Whether the user gave a calibration: it then replaces the engine's fitted overhead. */
  calibrated: boolean;
  engine: ServingEngine | undefined;
  engineKernels: EngineKernels;
  /** Kernels one step launches (every op of every layer on the busiest stage, and the LM head). */
  kernelsPerStep: () => number;
}

/**
 * The host's part of a step: the engine's fitted overhead (or the calibration's), eager kernel
 * launches where CUDA graphs are off or do not cover the step (cuda-graph-capture.ts), and the floor a
 * prompt step launched from the host cannot beat (eager-prompt-steps.ts).
 */
export class StepHostCost {
  /** Per-step host costs: the engine's fitted overhead, and eager launches where graphs are off. */
  private readonly overhead: EngineOverhead;
  private readonly perPrefillChunkSeconds: number;
  private eagerLaunchSeconds = 0;
  /** Launch cost a context step adds where the engine replays graphs for decode-only steps alone (eagerContextSteps, vLLM FULL_DECODE_ONLY). */
  private eagerContextSeconds = 0;
  /** vLLM: the largest step its CUDA graphs replay (perf/cuda-graph-capture.ts); a larger one pays eagerContextSeconds. */
  private graphMaxTokens = Number.POSITIVE_INFINITY;
  /** Whether every step holding a prompt pays eagerContextSeconds (TensorRT-LLM, vLLM FULL_DECODE_ONLY). */
  private eagerPromptSteps = false;
  /** The least time such a context step lasts where its host launches outlast it (eager-prompt-steps.ts). */
  private promptStepHostSeconds = 0;

  constructor(private readonly s: StepHostCostSetup) {
    const { engine, calibration } = s;
    this.overhead =
      engine && !s.calibrated
        ? ENGINE_OVERHEADS[engine.id]
        : {
            stepSeconds: calibration.stepOverheadSeconds,
            perSequenceSeconds: calibration.perSequenceOverheadSeconds,
            perTokenSeconds: 0,
          };
    this.perPrefillChunkSeconds = calibration.perPrefillChunkOverheadSeconds ?? 0;
    if (engine && !engine.cudaGraphs) this.eagerLaunchSeconds = s.kernelsPerStep() * EAGER_LAUNCH_SECONDS;
    else if (engine?.id === 'vllm') {
      // Steps above the largest captured size, and under FULL_DECODE_ONLY every step with a prompt,
      // run without graphs (perf/cuda-graph-capture.ts).
      this.eagerContextSeconds = s.kernelsPerStep() * EAGER_LAUNCH_SECONDS;
      this.graphMaxTokens = engine.cudaGraphMaxTokens ?? vllmUnresolvedCaptureTokens(s.model.family);
      this.eagerPromptSteps = engine.decodeOnlyCudaGraphs === true;
    } else if (engine && s.engineKernels.eagerContextSteps) {
      this.eagerContextSeconds = s.kernelsPerStep() * EAGER_LAUNCH_SECONDS;
      this.eagerPromptSteps = true;
      // Pipelined plans run another executor loop; only single-stage replicas are held to the host floor.
      if (s.pp === 1) this.promptStepHostSeconds = promptStepHostSeconds(engine, s.kernelsPerStep());
    }
  }

  /** The step's host overhead before its kernels: fitted terms and its eager launches. */
  seconds(shape: BatchShape, tokens: number): number {
    const o = this.overhead;
    return (
      o.stepSeconds +
      o.perSequenceSeconds * (shape.prefillSequences + shape.decodeCount) +
      o.perTokenSeconds * tokens +
      this.perPrefillChunkSeconds * shape.prefillSequences +
      this.eagerLaunchSeconds +
      this.eagerStepSeconds(shape, tokens)
    );
  }

  /**
   * Launches a step pays where it runs without the CUDA graphs the engine otherwise replays: a step holding
   * a prompt (TensorRT-LLM, vLLM FULL_DECODE_ONLY) or one larger than vLLM's largest captured size.
   */
  eagerStepSeconds(shape: BatchShape, tokens: number): number {
    return (this.eagerPromptSteps && shape.promptChunks > 0) || tokens > this.graphMaxTokens
      ? this.eagerContextSeconds
      : 0;
  }

  /** A context step launched from the host lasts at least its launches: the wait beyond `launched`. */
  hostWaitSeconds(shape: BatchShape, launched: number): number {
    return shape.promptChunks > 0 && this.promptStepHostSeconds > launched
      ? this.promptStepHostSeconds - launched
      : 0;
  }

  /** Where the step's host overhead comes from, for display. */
  source(shape: BatchShape, timing: StepTiming): string {
    return this.overheadSource(shape) + this.hostWaitSource(shape, timing);
  }

  private overheadSource(shape: BatchShape): string {
    const o = this.overhead;
    const terms = `${(o.stepSeconds * 1e3).toFixed(2)} ms + ${(o.perSequenceSeconds * 1e6).toFixed(1)} µs/sequence + ${(o.perTokenSeconds * 1e6).toFixed(2)} µs/token`;
    const owner =
      this.s.engine && !this.s.calibrated
        ? `${this.s.engine.id} framework overhead (fitted)`
        : this.s.calibration.source;
    const eager =
      this.eagerLaunchSeconds > 0
        ? `, + ${(this.eagerLaunchSeconds * 1e3).toFixed(2)} ms eager launches`
        : this.eagerStepSeconds(shape, shape.prefillTokens + shape.decodeCount) > 0
          ? `, + ${(this.eagerContextSeconds * 1e3).toFixed(2)} ms eager launches (${this.eagerStepReason(shape)})`
          : '';
    return `${owner}: ${terms}${eager}`;
  }

  /** Why a step runs without CUDA graphs, for display. */
  private eagerStepReason(shape: BatchShape): string {
    return this.eagerPromptSteps && shape.promptChunks > 0
      ? 'a step with a prompt runs without CUDA graphs'
      : `a step above the ${this.graphMaxTokens} tokens its CUDA graphs were captured for`;
  }

  /** The host floor's share of a prompt step's overhead, for display (eager-prompt-steps.ts). */
  private hostWaitSource(shape: BatchShape, timing: StepTiming): string {
    // Set for single-stage plans only, so the step's kernels are its one stage and the LM head.
    const launched =
      timing.stageSeconds +
      timing.headSeconds +
      this.eagerStepSeconds(shape, shape.prefillTokens + shape.decodeCount);
    if (shape.promptChunks === 0 || this.promptStepHostSeconds <= launched) return '';
    const wait = ((this.promptStepHostSeconds - launched) * 1e3).toFixed(2);
    const launches = (this.promptStepHostSeconds * 1e3).toFixed(2);
    return `, + ${wait} ms waiting on the host (steps with prompts run without CUDA graphs: ${launches} ms of eager launches)`;
  }
}
