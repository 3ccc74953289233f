/** The sample's stand-in for a claims system of record: plain data, read by the load step. */
export interface Claim {
  readonly id: string;
  readonly policyholder: string;
  readonly peril: string;
  /** What the policyholder claims, in whole dollars. */
  readonly claimedAmount: number;
}

/** An adjuster's assessment of a claim. Only a draft may still change; a final one is settled. */
export interface Assessment {
  readonly id: string;
  readonly claimId: string;
  readonly status: "draft" | "final";
  readonly recommendedAmount: number;
  readonly notes: string;
}

export interface ClaimsRecords {
  claim(claimId: string): Claim | undefined;
  assessment(assessmentId: string): Assessment | undefined;
}

const CLAIMS: readonly Claim[] = [
  {
    id: "CL-2001",
    policyholder: "Dana Whitfield",
    peril: "burst pipe, kitchen flooded",
    claimedAmount: 18_000,
  },
  { id: "CL-2002", policyholder: "Omar Haddad", peril: "hail damage to the roof", claimedAmount: 9_400 },
];

const ASSESSMENTS: readonly Assessment[] = [
  { id: "AS-2001", claimId: "CL-2001", status: "draft", recommendedAmount: 0, notes: "site visit booked" },
  {
    id: "AS-2002",
    claimId: "CL-2002",
    status: "final",
    recommendedAmount: 6_200,
    notes: "roof repair quoted; signed off by the senior adjuster",
  },
];

export function sampleClaimsRecords(): ClaimsRecords {
  return {
    claim: (claimId) => CLAIMS.find((claim) => claim.id === claimId),
    assessment: (assessmentId) => ASSESSMENTS.find((assessment) => assessment.id === assessmentId),
  };
}
