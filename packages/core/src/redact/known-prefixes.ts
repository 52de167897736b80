/**
 * Well-known, non-secret prefixes of provider credentials. {@link maskValue} leaves one visible
 * (it tells which kind of key it is) when enough of the value stays masked. Longest first.
 */
export const KNOWN_SECRET_PREFIXES: readonly string[] = [
  "github_pat_",
  "sk_live_",
  "sk_test_",
  "rk_live_",
  "rk_test_",
  "pk_live_",
  "pk_test_",
  "sk-proj-",
  "sk-ant-",
  "dop_v1_",
  "shpat_",
  "whsec_",
  "glpat-",
  "pypi-",
  "xoxb-",
  "xoxp-",
  "xoxa-",
  "xoxr-",
  "xoxs-",
  "xapp-",
  "ghp_",
  "gho_",
  "ghu_",
  "ghs_",
  "ghr_",
  "npm_",
  "sk-",
  "hf_",
].sort((a, b) => b.length - a.length);
