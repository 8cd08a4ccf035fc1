/**
 * Lower bounds for moving one file over rate-limited links. Kumar & Ross
 * ("Peer-assisted file distribution: the minimum distribution time", 2006):
 * with source upload u_s, slowest receiver download d_min, N receivers and
 * Σu the upload of every node that may forward (source, receivers, helpers),
 * no schedule finishes before max(F/u_s, F/d_min, N·F/Σu).
 */

export interface DistributionLinks {
  fileBytes: number;
  /** Mbit/s (10^6 bit/s). */
  sourceUpMbit: number;
  /** Download rate of every node that must receive the file. */
  receiverDownMbit: readonly number[];
  /** Upload rate of every node that is not the source (receivers and helpers such as the hub). */
  otherUpMbit: readonly number[];
}

export interface DistributionBound {
  seconds: number;
  /** Each term, to say which one binds. */
  sourceUpload: number;
  slowestDownload: number;
  totalUpload: number;
}

export function kumarRossBound(links: DistributionLinks): DistributionBound {
  const bits = links.fileBytes * 8;
  const n = links.receiverDownMbit.length;
  const dMin = Math.min(...links.receiverDownMbit);
  const sumUp = links.sourceUpMbit + links.otherUpMbit.reduce((a, b) => a + b, 0);
  const sourceUpload = bits / (links.sourceUpMbit * 1e6);
  const slowestDownload = n === 0 ? 0 : bits / (dMin * 1e6);
  const totalUpload = (n * bits) / (sumUp * 1e6);
  return { seconds: Math.max(sourceUpload, slowestDownload, totalUpload), sourceUpload, slowestDownload, totalUpload };
}

/** Time for the file to cross one link of the slower of the two ends: what a direct copy needs. */
export function oneLinkSeconds(fileBytes: number, sourceUpMbit: number, receiverDownMbit: number): number {
  return (fileBytes * 8) / (Math.min(sourceUpMbit, receiverDownMbit) * 1e6);
}
