/**
 * VTJ's own credentials for the query product (from the VTJ permit): the username and password the
 * hub sends in every HenkilonTunnusKysely, besides X-Road's own authentication of the hub.
 *
 * One seam, two sources. In AWS a Secrets Manager secret, JSON `{"username": …, "password": …}`
 * encrypted with the stack's key, named by `KOTO_VTJ_CREDENTIALS_SECRET_ARN` and read through the
 * Parameters and Secrets extension (functions/lib/extension-secret.ts); re-read every five minutes,
 * so a changed password counts without a deploy. On the embedded runtime `KOTO_VTJ_USERNAME` and
 * `KOTO_VTJ_PASSWORD`, as before. The product and the end user named in each query are no secret
 * and stay in the environment. Nothing here logs a credential or puts one in an error.
 */
import { VTJ_DEFAULT_PRODUCT } from '#contracts/vtj/wire';
import { VTJ_CREDENTIALS_SECRET_ARN_ENV } from '#infra/topology';
import { extensionSecretReader, jsonSecretFields, refreshing, type SecretReader } from '#lib/extension-secret';

export interface VtjCredentials {
  readonly product: string;
  readonly username: string;
  readonly password: string;
  readonly endUser: string;
}

/** Resolves the credentials to send; in AWS from the secret (cached), locally from the environment. */
export type VtjCredentialsProvider = () => Promise<VtjCredentials>;

/** How long a read of the secret serves before the next one. */
export const VTJ_CREDENTIALS_TTL_MS = 5 * 60_000;

const SECRET = 'the VTJ credentials secret';

export interface VtjCredentialsOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** How the secret is read; the Parameters and Secrets extension unless a test says otherwise. */
  readonly readSecret?: SecretReader;
  readonly now?: () => number;
}

export const vtjCredentialsProvider = (options: VtjCredentialsOptions = {}): VtjCredentialsProvider => {
  const env = options.env ?? process.env;
  const product = env.KOTO_VTJ_PRODUCT ?? VTJ_DEFAULT_PRODUCT;
  const endUser = env.KOTO_VTJ_END_USER ?? 'koto-hub';
  const secretArn = env[VTJ_CREDENTIALS_SECRET_ARN_ENV];
  if (!secretArn) {
    const fixed: VtjCredentials = { product, endUser, username: env.KOTO_VTJ_USERNAME ?? 'koto-hub', password: env.KOTO_VTJ_PASSWORD ?? '' };
    return async () => fixed;
  }
  const read = options.readSecret ?? extensionSecretReader(SECRET, env);
  return refreshing(
    async () => {
      const { username, password } = jsonSecretFields(await read(secretArn), SECRET, ['username', 'password']);
      return { product, endUser, username, password };
    },
    VTJ_CREDENTIALS_TTL_MS,
    options.now,
  );
};
