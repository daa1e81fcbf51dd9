import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { ensureCertificates } from "./certificates.js";

const dirs: string[] = [];
after(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

test("creates a CA once and a leaf for the region's names, renewed near expiry", async () => {
  const dir = await mkdtemp(join(tmpdir(), "or-certs-"));
  dirs.push(dir);
  const first = await ensureCertificates(dir, "us-east-1", "example.test");
  assert.equal(first.issued, true);
  assert.equal(statSync(first.caKey).mode & 0o777, 0o600);
  const ca = new X509Certificate(readFileSync(first.caCert));
  assert.equal(ca.ca, true);
  const pem = readFileSync(first.tlsPem, "utf8");
  assert.match(pem, /BEGIN PRIVATE KEY/);
  const leaf = new X509Certificate(pem);
  assert.ok(leaf.verify(ca.publicKey));
  assert.equal(leaf.subjectAltName, "DNS:*.us-east-1.example.test, DNS:us-east-1.example.test");
  assert.ok(leaf.checkHost("web.us-east-1.example.test"));
  const days = (first.notAfter.getTime() - Date.now()) / 86_400_000;
  assert.ok(days > 360 && days < 367, String(days));

  const again = await ensureCertificates(dir, "us-east-1", "example.test");
  assert.equal(again.issued, false);

  // 340 days later fewer than 30 are left: a new leaf from the same CA.
  const later = await ensureCertificates(dir, "us-east-1", "example.test", Date.now() + 340 * 86_400_000);
  assert.equal(later.issued, true);
  assert.equal(readFileSync(later.caCert, "utf8"), ca.toString());

  const otherRegion = await ensureCertificates(dir, "eu-west-1", "example.test");
  assert.equal(otherRegion.issued, true);
});
