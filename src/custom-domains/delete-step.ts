import { CUSTOM_DOMAIN_STATUS } from "../domain/custom-domains.js";
import type { ServiceRow } from "../domain/service-record.js";
import { CertificateFiles } from "./certificate-files.js";
import { activeHosts, errorText, save, statusEvent, type CustomDomainRow, type StepContext } from "./context.js";
import { announce } from "./events.js";

/**
 * deleting: the domain leaves the data plane (its hosts, then its certificate and file), then
 * its row goes (Terraform's delete waits for that). A failure there is delete_failed, with an
 * event; DisassociateCustomDomain again retries.
 */
export async function deleteStep(ctx: StepContext, row: CustomDomainRow, forget: (serviceId: string) => void): Promise<number | undefined> {
  const s = ctx.store.resources.get<ServiceRow["doc"], ServiceRow["internal"]>(row.parentArn);
  const serviceId = s?.doc.ServiceId ?? "";
  try {
    const dataPlane = ctx.parts.dataPlane;
    if (dataPlane && s) {
      await dataPlane.setCustomDomainHosts(serviceId, s.deletedAt === null ? activeHosts(ctx, s.arn, row.arn) : []);
      forget(serviceId);
    }
    if (row.doc.Certificate) await dataPlane?.removeCertificate(CertificateFiles.dataPlaneId(row.name));
    ctx.files.remove(row.name);
  } catch (err) {
    const message = `Removing custom domain ${row.name} from the data plane failed: ${errorText(err)} Disassociate it again to retry.`;
    save(
      ctx,
      row.arn,
      CUSTOM_DOMAIN_STATUS.deleting,
      (d) => ({ ...d, Status: CUSTOM_DOMAIN_STATUS.deleteFailed, StatusMessage: message }),
      statusEvent(row, CUSTOM_DOMAIN_STATUS.deleting, CUSTOM_DOMAIN_STATUS.deleteFailed, message, "ERROR"),
    );
    return undefined;
  }
  ctx.store.tx(() => {
    const current = ctx.store.resources.get(row.arn);
    if (!current) return;
    ctx.store.resources.remove(row.arn);
    if (s) {
      announce(ctx, s, {
        domain: row.name,
        previousStatus: CUSTOM_DOMAIN_STATUS.deleting,
        currentStatus: "deleted",
        message: `Custom domain ${row.name} was disassociated from service ${s.name}.`,
        severity: "INFO",
      });
    }
  });
  return undefined;
}
