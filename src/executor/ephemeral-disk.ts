/**
 * An instance's ephemeral storage: its writable layer lives on a file system of its own, a
 * sparse ext4 image of the limit's size (`<dir>/disk.img`) loop-mounted at `<dir>/disk`. A write
 * past the limit fails inside the instance with ENOSPC, and the host's disk holds at most that
 * much for it. No journal (the layer dies with the instance), inode tables left uninitialised
 * (`noinit_itable`: no background zeroing), and `inline_data` so tiny files (the exit status the
 * recorder writes) still fit once the app has filled every block.
 *
 * mkfs costs about as much as the rest of an instance's start, so formatted images are made
 * ahead of need, two per size, in `<instances dir>/.disks` (plain files, no mounts), and an
 * instance takes one by a rename. Without a spare (the first instance, a burst) it formats its own.
 */
import { randomBytes } from "node:crypto";
import { mkdir, rename, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { AppRunnerError } from "../errors/app-runner-error.js";
import { execHost } from "./exec.js";

/** App Runner's ephemeral storage per instance. */
export const DEFAULT_EPHEMERAL_STORAGE_BYTES = 3 * 1024 ** 3;
/** Smaller ext4 file systems are not worth making (and mkfs refuses the tiniest). */
export const MIN_EPHEMERAL_STORAGE_BYTES = 8 * 1024 ** 2;
const SPARES_PER_SIZE = 2;
const REFILL_DELAY_MS = 1000;
const SPARE_DIR = ".disks";

const FORMAT = 'truncate -s "$2" "$1"; mkfs.ext4 -q -F -O ^has_journal,inline_data -m 0 -E nodiscard "$1"';
const MOUNT = "mount -o loop,noinit_itable,nosuid,nodev disk.img disk; mkdir -p disk/upper disk/work";

/** Formatted images of one size, made in the background. */
class SpareImages {
  private readonly ready: string[] = [];
  private filling: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Why the last attempt to make spares failed; the next take tries again, and instances meanwhile format their own (which reports the error). */
  failure: Error | undefined;

  constructor(
    private readonly dir: string,
    private readonly bytes: number,
  ) {}

  /** A formatted image's path (now the caller's), or undefined; plans making the next either way. */
  take(): string | undefined {
    const image = this.ready.shift();
    if (!this.closed && !this.filling && !this.timer) {
      // Later, once the instance that asked has started: mkfs must not compete with its start.
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.refill();
      }, REFILL_DELAY_MS);
      this.timer.unref();
    }
    return image;
  }

  private refill(): void {
    if (this.closed) return;
    this.filling = (async () => {
      await mkdir(this.dir, { recursive: true });
      while (!this.closed && this.ready.length < SPARES_PER_SIZE) {
        const image = join(this.dir, `${this.bytes}-${randomBytes(6).toString("hex")}.img`);
        // Lowest CPU and I/O priority: spares must never slow the instances starting meanwhile.
        await execHost("nice", ["-n", "19", "ionice", "-c", "3", "sh", "-c", `set -e; ${FORMAT}`, "sh", `${image}.tmp`, String(this.bytes)]);
        await rename(`${image}.tmp`, image);
        this.ready.push(image);
        this.failure = undefined;
      }
    })()
      .catch((err: unknown) => {
        this.failure = err instanceof Error ? err : new Error(String(err));
      })
      .finally(() => {
        this.filling = undefined;
      });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.filling;
  }
}

/** Spare images by spare directory, then by size. */
const spares = new Map<string, Map<number, SpareImages>>();

function sparesFor(instanceDir: string, bytes: number): SpareImages {
  const dir = join(dirname(resolve(instanceDir)), SPARE_DIR);
  let bySize = spares.get(dir);
  if (!bySize) spares.set(dir, (bySize = new Map()));
  let pool = bySize.get(bytes);
  if (!pool) bySize.set(bytes, (pool = new SpareImages(dir, bytes)));
  return pool;
}

/** Stops making spares for `instancesDir` and removes the ones made (crash cleanup and stop). */
export async function removeSpareDisks(instancesDir: string): Promise<void> {
  const dir = join(resolve(instancesDir), SPARE_DIR);
  const bySize = spares.get(dir);
  spares.delete(dir);
  for (const pool of bySize?.values() ?? []) await pool.close();
  await rm(dir, { recursive: true, force: true });
}

/** Makes and mounts `<dir>/disk` (see above). The caller checks that it is not mounted yet. */
export async function makeDisk(dir: string, bytes: number): Promise<void> {
  if (!Number.isInteger(bytes) || bytes < MIN_EPHEMERAL_STORAGE_BYTES) {
    throw new AppRunnerError("HostSetupFailed", `ephemeral storage of ${bytes} bytes is below the minimum of ${MIN_EPHEMERAL_STORAGE_BYTES}`);
  }
  const root = resolve(dir);
  await mkdir(`${root}/disk`, { recursive: true });
  const spare = sparesFor(root, bytes).take();
  // A spare replaces any leftover image (a crash before the mount); else one is made here.
  if (spare) await rename(spare, `${root}/disk.img`);
  const script = spare ? MOUNT : `${FORMAT}; ${MOUNT}`;
  // One shell: each host process costs milliseconds from Node; forks inside sh cost less.
  await execHost("sh", ["-c", `set -e; ${script}`, "sh", "disk.img", String(bytes)], { cwd: root });
}
