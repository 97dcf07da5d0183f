/** What one source (an OCSP response or a CRL, verified) says about one certificate. */
export type RevocationStatus =
  | { readonly status: 'good'; readonly thisUpdate: Date; readonly nextUpdate?: Date | undefined }
  | {
      readonly status: 'revoked';
      readonly thisUpdate: Date;
      readonly nextUpdate?: Date | undefined;
      readonly revokedAt: Date;
      /** RFC 5280 §5.3.1 CRLReason name, when given. */
      readonly reason?: string | undefined;
      /** RFC 5280 §5.3.2 invalidity date, when given: the key may have been compromised since then. */
      readonly invalidityDate?: Date | undefined;
    };

export const CRL_REASONS: readonly string[] = [
  'unspecified', 'keyCompromise', 'cACompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation',
  'certificateHold', 'unused', 'removeFromCRL', 'privilegeWithdrawn', 'aACompromise',
];
