const SENSITIVE =
  /(PASSWORD|PASSWD|(^|_)PASS$|(^|_)PWD$|SECRET|TOKEN|API_?KEY|APIKEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL|(^|_)AUTH$|SESSION_KEY|SIGNING_KEY|ENCRYPTION_KEY|(^|_)DSN$)/i;
/** Names that hold a reference to a secret, or a setting about it, not the secret itself. */
const REFERENCE =
  /_(FILE|PATH|DIR|HOST|PORT|URL|ENDPOINT|NAME|TYPE|ALGORITHM|HEADER|LENGTH|TTL|TIMEOUT|EXPIRY|EXPIRES|LIFETIME|ENABLED|ID)$/i;

export function isSensitiveName(name: string): boolean {
  if (/^AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN)$/i.test(name)) return true;
  return SENSITIVE.test(name) && !REFERENCE.test(name);
}

/** Literal credentials: AWS access key ids, and URLs with a user:password part. */
export const CREDENTIAL_VALUE = /\b(AKIA|ASIA)[0-9A-Z]{16}\b|[a-z][a-z0-9+.-]*:\/\/[^\s/:@$]+:[^\s/@$]+@/;
