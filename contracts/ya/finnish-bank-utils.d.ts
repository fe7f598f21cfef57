// The package ships no types; these are the two functions the YA contract uses.
declare module 'finnish-bank-utils' {
  const FinnishBankUtils: {
    /** A Finnish payment reference: national (4–20 digits, check digit 7-3-1) or RF creditor reference (ISO 11649). */
    isValidFinnishRefNumber(reference: string): boolean;
    /** A Finnish IBAN (FI + 16 digits), BBAN and IBAN check digits both. */
    isValidFinnishIBAN(iban: string): boolean;
  };
  export default FinnishBankUtils;
}
