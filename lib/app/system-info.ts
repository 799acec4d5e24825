import { statfs } from 'node:fs/promises';
import os from 'node:os';

/** The seed's status fields, read from the environment the function runs in. */
export interface SystemInfo {
  readonly system_load: readonly number[];
  readonly memory_free: number;
  readonly disk_free: number;
  readonly kernel_version: string;
  /**
   * Always empty here: a Lambda runtime has no package manager to ask, and asking
   * apt on a developer machine takes seconds. Kept because the seed names it.
   */
  readonly upgradable_packages: readonly string[];
}

export async function readSystemInfo(): Promise<SystemInfo> {
  // /tmp is the only writable disk a Lambda function has.
  const disk = await statfs(os.tmpdir()).catch(() => undefined);
  return {
    system_load: os.loadavg().map((load) => Math.round(load * 100) / 100),
    memory_free: os.freemem(),
    disk_free: disk ? disk.bavail * disk.bsize : 0,
    kernel_version: os.release(),
    upgradable_packages: [],
  };
}
