/**
 * The embedded runtime's data folder (git-ignored `.koto-hub/` by default, `KOTO_DATA_DIR` to move
 * it): the DynamoDB tables (LevelDB files), the generated audit key, the hub's log, and
 * `runtime.json` while a hub runs, so that the CLI can find it.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const defaultDataDir = (): string => resolve(process.env.KOTO_DATA_DIR ?? '.koto-hub');

export interface DataDir {
  readonly root: string;
  readonly dynamodb: string;
  readonly auditKeyFile: string;
  /** The generated key of the wellbeing requests' pseudonyms (contracts/wellbeing/pseudonym.ts). */
  readonly pseudonymKeyFile: string;
  readonly logFile: string;
  readonly runtimeFile: string;
  /** Delivered outreach results, by municipality and run. */
  readonly results: string;
  /** Each client's webhook signing secret, `<clientId>.secret`. */
  readonly webhookSecrets: string;
}

export const dataDirPaths = (root: string): DataDir => ({
  root,
  dynamodb: join(root, 'dynamodb'),
  auditKeyFile: join(root, 'audit.key'),
  pseudonymKeyFile: join(root, 'pseudonym.key'),
  logFile: join(root, 'logs', 'hub.log'),
  runtimeFile: join(root, 'runtime.json'),
  results: join(root, 'results'),
  webhookSecrets: join(root, 'webhook-secrets'),
});

/** Makes a folder tree its owner's alone: folders 0700, files 0600 (a data folder made before this rule was 0755/0644). */
const ownerOnly = (path: string): void => {
  const stats = lstatSync(path);
  if (stats.isSymbolicLink()) return;
  if (stats.isDirectory()) {
    if ((stats.mode & 0o077) !== 0) chmodSync(path, 0o700);
    for (const entry of readdirSync(path)) ownerOnly(join(path, entry));
  } else if ((stats.mode & 0o077) !== 0) {
    chmodSync(path, 0o600);
  }
};

/**
 * Creates the folder and, once, the audit HMAC key and the pseudonym key. The folder holds personal data (the tables,
 * delivered target lists, the log) and the audit key: everything in it is readable by its owner
 * only. The process's umask is set to 077, so every file the hub and its stand-ins (dynalite's
 * LevelDB files, the log, the results) create from now on is too, and what an older hub left
 * readable to others is tightened.
 */
export const prepareDataDir = (root: string): DataDir => {
  const dir = dataDirPaths(root);
  process.umask(0o077);
  mkdirSync(dir.dynamodb, { recursive: true, mode: 0o700 });
  mkdirSync(join(root, 'logs'), { recursive: true, mode: 0o700 });
  ownerOnly(root);
  if (!existsSync(dir.auditKeyFile)) writeFileSync(dir.auditKeyFile, randomBytes(32).toString('hex'), { mode: 0o600 });
  if (!existsSync(dir.pseudonymKeyFile)) writeFileSync(dir.pseudonymKeyFile, randomBytes(32).toString('hex'), { mode: 0o600 });
  return dir;
};

/** What a running hub writes so that other processes (the CLI) can reach it. */
export interface RuntimeInfo {
  readonly pid: number;
  readonly startedAt: string;
  readonly ingressUrl: string;
  readonly statusUrl: string;
  readonly sqsEndpoint: string;
  readonly dynamodbEndpoint: string;
  readonly mocks?: Readonly<Record<string, string>>;
  /** The fixture population file the mocks hold, when they were seeded from a file. */
  readonly population?: string;
}

export const writeRuntimeInfo = (dir: DataDir, info: RuntimeInfo): void =>
  writeFileSync(dir.runtimeFile, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });

export const clearRuntimeInfo = (dir: DataDir): void => rmSync(dir.runtimeFile, { force: true });

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The running hub of this data folder, if one runs. */
export const readRuntimeInfo = (dir: DataDir): RuntimeInfo | undefined => {
  if (!existsSync(dir.runtimeFile)) return undefined;
  const info = JSON.parse(readFileSync(dir.runtimeFile, 'utf8')) as RuntimeInfo;
  return isAlive(info.pid) ? info : undefined;
};
