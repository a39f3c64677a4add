import { type HardwareSpec, scaleUpDomainOf } from '../hardware/spec.js';

/** A link between GPUs as the collectives see it: bandwidth per direction and one-way latency. */
export interface Link {
  bytesPerSecond: number;
  latencySeconds: number;
}

/**
 * The link a group of `gpus` GPUs talks over: the scale-up interconnect (NVLink, Infinity Fabric, PCIe
 * between cards) if they fit in one scale-up domain, else the network. The domain is the node on HGX and
 * PCIe servers and the whole rack on NVL72, so GB200 TP16 stays on NVLink where B200 TP16 does not.
 */
export function groupLink(hardware: HardwareSpec, gpus: number): Link {
  if (gpus <= scaleUpDomainOf(hardware)) {
    return {
      bytesPerSecond: hardware.intraNode.bytesPerSecondPerDirection,
      latencySeconds: hardware.intraNode.latencySeconds,
    };
  }
  return {
    bytesPerSecond: hardware.interNodeBytesPerSecond,
    latencySeconds: hardware.interNodeLatencySeconds,
  };
}

/**
 * All-reduce of `bytes` over `workers` GPUs. Ring: 2(n-1) steps, each paying the link latency, moving
 * 2(n-1)/n of the message. One-shot (the custom all-reduce serving engines use for small messages over
 * NVLink/NVSwitch or Infinity Fabric): every GPU reads the n-1 peers' buffers at once, paying latency
 * twice (write, then a barrier). The faster of the two is what a tuned library picks.
 */
export function allReduceSeconds(bytes: number, workers: number, link: Link, efficiency: number): number {
  if (workers <= 1 || bytes <= 0) return 0;
  const bandwidth = link.bytesPerSecond * efficiency;
  const ring =
    2 * (workers - 1) * link.latencySeconds + ((2 * (workers - 1)) / workers) * (bytes / bandwidth);
  const oneShot =
    2 * link.latencySeconds + ((workers - 1) * bytes) / (workers * bandwidth) + bytes / bandwidth;
  return Math.min(ring, oneShot);
}

/** One point-to-point send of `bytes` (pipeline stage boundary, KV transfer). */
export function p2pSeconds(bytes: number, link: Link, efficiency: number): number {
  if (bytes <= 0) return 0;
  return link.latencySeconds + bytes / (link.bytesPerSecond * efficiency);
}

/**
 * All-to-all over `workers` GPUs (expert-parallel dispatch or combine) where each GPU holds
 * `bytesPerGpu` spread evenly over all of them, itself included: the 1/n for itself stays, the rest
 * leaves. Peers in the GPU's own scale-up domain (its node, or a whole NVL72 rack) are reached over the
 * scale-up link (NVLink, Infinity Fabric), peers beyond it over the network, both at once; each part
 * pays its link's latency once (the transfers to all peers are issued together), and the slower part
 * sets the time.
 */
export function allToAllSeconds(
  bytesPerGpu: number,
  workers: number,
  hardware: HardwareSpec,
  efficiency: number,
): number {
  if (workers <= 1 || bytesPerGpu <= 0) return 0;
  const perPeer = bytesPerGpu / workers;
  const domain = scaleUpDomainOf(hardware);
  const nodePeers = Math.min(workers, domain) - 1;
  const remotePeers = workers - 1 - nodePeers;
  const intra = groupLink(hardware, 1);
  const inter = groupLink(hardware, domain + 1);
  const over = (link: Link, peers: number) =>
    peers > 0 ? link.latencySeconds + (peers * perPeer) / (link.bytesPerSecond * efficiency) : 0;
  return Math.max(over(intra, nodePeers), over(inter, remotePeers));
}
