/** Name segments (split on `_`) that mark a secret; whole segments only, so TOKENIZERS_PARALLELISM is not one. */
const SENSITIVE_SEGMENTS = new Set([
  'PASSWORD',
  'PASSWD',
  'PASS',
  'PWD',
  'SECRET',
  'TOKEN',
  'APIKEY',
  'CREDENTIALS',
  'CREDENTIAL',
  'DSN',
]);
/** Adjacent segment pairs that mark a secret (API_KEY, PRIVATE_KEY, ...). */
const SENSITIVE_PAIRS =
  /(^|_)(API|PRIVATE|ACCESS|SESSION|SIGNING|ENCRYPTION|SECRET|AUTH|CLIENT|MASTER)_KEY(_|$)/;
/** Names that hold a reference to a secret, or a setting about it, not the secret itself. */
const REFERENCE =
  /_(FILE|PATH|DIR|HOST|PORT|URL|ENDPOINT|NAME|TYPE|ALGORITHM|HEADER|LENGTH|TTL|TIMEOUT|EXPIRY|EXPIRES|LIFETIME|ENABLED|ID)$/i;

export function isSensitiveName(name: string): boolean {
  if (/^AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN)$/i.test(name)) return true;
  const upper = name.toUpperCase();
  const hit = upper.split('_').some((seg) => SENSITIVE_SEGMENTS.has(seg)) || SENSITIVE_PAIRS.test(upper);
  return hit && !REFERENCE.test(upper);
}

/** Literal credentials: AWS access key ids, and URLs with a user:password part. */
export const CREDENTIAL_VALUE = /\b(AKIA|ASIA)[0-9A-Z]{16}\b|[a-z][a-z0-9+.-]*:\/\/[^\s/:@$]+:[^\s/@$]+@/;
