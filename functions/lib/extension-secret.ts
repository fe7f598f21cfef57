/**
 * A secret's SecretString through the AWS Parameters and Secrets Lambda Extension, the layer the
 * stack gives every function that reads a secret: `GET /secretsmanager/get?secretId=…` on localhost
 * with the function's session token in `X-Aws-Parameters-Secrets-Token`, answered with
 * GetSecretValue's JSON (AWS Secrets Manager User Guide, "Use AWS Secrets Manager secrets in AWS
 * Lambda functions"). No SDK client in the bundle, and the extension caches.
 *
 * `what` names the secret in errors ("the VTJ credentials secret"); an error never quotes what the
 * extension answered, which may hold the secret. Every secret a function reads comes through here:
 * the audit key, the webhook signing secrets, VTJ's credentials and the X-Road TLS identity.
 */

/** The extension's port unless PARAMETERS_SECRETS_EXTENSION_HTTP_PORT says otherwise. */
const EXTENSION_DEFAULT_PORT = '2773';
/** The extension answers from its cache, or after one Secrets Manager call. */
const EXTENSION_TIMEOUT_MS = 5_000;

/** Reads a secret's SecretString by its ARN or name. */
export type SecretReader = (secretId: string) => Promise<string>;

export const extensionSecretReader =
  (what: string, env: NodeJS.ProcessEnv = process.env): SecretReader =>
  async (secretId) => {
    const token = env.AWS_SESSION_TOKEN;
    if (!token) throw new Error(`configuration: AWS_SESSION_TOKEN is not set, so the Parameters and Secrets extension cannot be asked for ${what}`);
    const port = env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT || EXTENSION_DEFAULT_PORT;
    let response: Response;
    try {
      response = await fetch(`http://localhost:${port}/secretsmanager/get?secretId=${encodeURIComponent(secretId)}`, {
        headers: { 'X-Aws-Parameters-Secrets-Token': token },
        signal: AbortSignal.timeout(EXTENSION_TIMEOUT_MS),
      });
    } catch {
      throw new Error(`configuration: no answer from the Parameters and Secrets extension on port ${port} for ${what}; does the function have its layer?`);
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(
        `configuration: the Parameters and Secrets extension answered HTTP ${response.status} for ${what}; ` +
          (response.status >= 500
            ? 'it could not get the secret from Secrets Manager'
            : 'check that the secret exists, the function may read it (secretsmanager:GetSecretValue, kms:Decrypt) and the session token is sent'),
      );
    }
    // No cause on a parse failure: the parser's message quotes the text it could not read.
    let answer: { SecretString?: unknown } | null;
    try {
      answer = (await response.json()) as { SecretString?: unknown } | null;
    } catch {
      throw new Error(`configuration: the Parameters and Secrets extension answered with something that is not JSON for ${what}`);
    }
    const secret = answer?.SecretString;
    if (typeof secret !== 'string') throw new Error(`configuration: ${what} has no SecretString`);
    if (!secret) throw new Error(`configuration: ${what} is empty`);
    return secret;
  };

/**
 * A value read at most once per `ttlMs` (the clock injected), so that a secret's new version counts
 * within minutes without a deploy, and a failed read is tried again on the next call.
 */
export const refreshing = <T>(load: () => Promise<T>, ttlMs: number, now: () => number = Date.now): (() => Promise<T>) => {
  let cached: { value: Promise<T>; at: number } | undefined;
  return () => {
    if (!cached || now() - cached.at >= ttlMs) {
      const value = load();
      const entry = { value, at: now() };
      cached = entry;
      value.catch(() => {
        if (cached === entry) cached = undefined;
      });
    }
    return cached.value;
  };
};

/** The fields of a JSON secret, each checked to be a non-empty string; errors name the field, never a value. */
export const jsonSecretFields = <K extends string>(text: string, what: string, required: readonly K[], optional: readonly string[] = []): Record<K, string> & Record<string, string | undefined> => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`configuration: ${what} is not JSON {${[...required, ...optional].join(', ')}}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`configuration: ${what} is not a JSON object`);
  const fields = parsed as Record<string, unknown>;
  const out: Record<string, string | undefined> = {};
  for (const name of [...required, ...optional]) {
    const value = fields[name];
    if (value === undefined && !(required as readonly string[]).includes(name)) continue;
    if (typeof value !== 'string' || value.trim() === '') throw new Error(`configuration: ${what} has no ${name} (a non-empty string)`);
    out[name] = value;
  }
  return out as Record<K, string> & Record<string, string | undefined>;
};
