/** SGLang's router pairing prefill and decode servers (`python3 -m sglang_router.launch_router`). */
export function sglangRouterArgs(base: string, port: number): string[] {
  return [
    '--pd-disaggregation',
    '--prefill',
    `http://${base}-prefill:${port}`,
    '--decode',
    `http://${base}-decode:${port}`,
    '--host',
    '0.0.0.0',
    '--port',
    '8000',
  ];
}
