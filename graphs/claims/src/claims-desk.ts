/** A change the claims system really made to an assessment. */
export interface AssessmentUpdate {
  readonly claimId: string;
  readonly assessmentId: string;
  readonly recommendedAmount: number;
  readonly notes: string;
  readonly idempotencyKey: string;
}

/** Money the claims system really paid out. */
export interface Payout {
  readonly payoutId: string;
  readonly claimId: string;
  readonly amount: number;
}

/** A bulk export of policyholders' data the claims system really produced. */
export interface PolicyholderExport {
  readonly exportId: string;
  readonly format: string;
}

/**
 * The sample's claims system: the side effects governance exists to control. Tests count
 * each list to prove what did and did not happen; a payout or an export here is a breach.
 */
export class ClaimsDesk {
  readonly updates: AssessmentUpdate[] = [];
  readonly payouts: Payout[] = [];
  readonly exports: PolicyholderExport[] = [];

  updateAssessment(update: AssessmentUpdate): AssessmentUpdate {
    this.updates.push(update);
    return update;
  }

  authorizePayout(claimId: string, amount: number): Payout {
    const payout = { payoutId: `P-${this.payouts.length + 1}`, claimId, amount };
    this.payouts.push(payout);
    return payout;
  }

  exportPolicyholders(format: string): PolicyholderExport {
    const exported = { exportId: `X-${this.exports.length + 1}`, format };
    this.exports.push(exported);
    return exported;
  }
}
