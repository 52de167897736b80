import { type LeakFinding, leakRuleDescription, STORED_SECRET_RULE } from "./find-leaks.js";

/** Text of one finding (never the value). */
export function leakMessage(f: LeakFinding): string {
  if (f.rule === STORED_SECRET_RULE) {
    const also = f.alsoNames?.length ? ` (also ${f.alsoNames.join(", ")})` : "";
    return `stored secret ${f.secret}${also} (scope ${f.scope}${f.env ? `, env ${f.env}` : ""}, version ${f.version})`;
  }
  return `possible credential: ${leakRuleDescription(f.rule)}`;
}

/**
 * A SARIF 2.1.0 log of findings: one run, tool `coffer`, one rule per rule id, one result per
 * finding with its file, line and column (columns in UTF-16 code units, SARIF's default).
 */
export function toSarif(findings: readonly LeakFinding[], toolVersion: string): Record<string, unknown> {
  const ruleIds = [...new Set([STORED_SECRET_RULE, ...findings.map((f) => f.rule)])];
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "coffer",
            version: toolVersion,
            rules: ruleIds.map((id) => ({
              id,
              shortDescription: { text: leakRuleDescription(id) },
              defaultConfiguration: { level: id === STORED_SECRET_RULE ? "error" : "warning" },
            })),
          },
        },
        columnKind: "utf16CodeUnits",
        results: findings.map((f) => ({
          ruleId: f.rule,
          ruleIndex: ruleIds.indexOf(f.rule),
          level: f.rule === STORED_SECRET_RULE ? "error" : "warning",
          message: { text: leakMessage(f) },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: encodeURI(f.file) },
                region: { startLine: f.line, startColumn: f.column },
              },
            },
          ],
          properties: {
            source: f.source,
            ...(f.commit ? { commit: f.commit } : {}),
            ...(f.secret ? { secret: f.secret } : {}),
          },
        })),
      },
    ],
  };
}
