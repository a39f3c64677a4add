// The WebGPU API types (GPUDevice, GPUBuffer…) for the engine's GPU code; the `webgpu` package supplies them.
/// <reference types="@webgpu/types" />
