/** A provider broke the contract the conformance suite checks. The message says how. */
export class ConformanceViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConformanceViolation";
  }
}
