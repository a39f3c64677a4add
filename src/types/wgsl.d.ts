// esbuild loads shaders/*.wgsl as text (see esbuild.mjs).
declare module '*.wgsl' {
  const source: string;
  export default source;
}
