import type { Random } from "../util/random.js";

/** IAM's unique-id alphabet (base32), as in AKIA…/ASIA… key ids. */
const KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

const pick = (r: Random, alphabet: string, n: number): string => Array.from(r.bytes(n), (b) => alphabet[b % alphabet.length]).join("");

/** A 20-character access key id like AWS's: AKIA… for long-term keys, ASIA… for temporary ones. */
export const newAccessKeyId = (prefix: "AKIA" | "ASIA", random: Random): string => `${prefix}${pick(random, KEY_ALPHABET, 16)}`;

/** A 40-character secret access key of AWS's alphabet. */
export const newSecretAccessKey = (random: Random): string => pick(random, SECRET_ALPHABET, 40);
