import { describe, expect, it } from "vitest";
import { hasAmbiguousOrder, numberVersions } from "../src/naming/version-numbering.js";

const at = (seconds: number) => new Date(1_700_000_000_000 + seconds * 1000);

describe("numberVersions", () => {
  it("orders versions of the same second by their coffer-version tag", () => {
    const numbered = numberVersions([
      { version: "c", createdOn: at(5), tags: { "coffer-version": "3" } },
      { version: "a", createdOn: at(5), tags: { "coffer-version": "1" } },
      { version: "b", createdOn: at(5), tags: { "coffer-version": "2" } },
    ]);
    expect(numbered.map((v) => [v.number, v.properties.version])).toEqual([
      [1, "a"],
      [2, "b"],
      [3, "c"],
    ]);
  });

  it("numbers versions written by other tools after the previous one, oldest first", () => {
    const numbered = numberVersions([
      { version: "foreign-new", createdOn: at(9) },
      { version: "coffer-1", createdOn: at(1), tags: { "coffer-version": "1" } },
      { version: "foreign-old", createdOn: at(3) },
      { version: "coffer-3", createdOn: at(6), tags: { "coffer-version": "3" } },
    ]);
    expect(numbered.map((v) => [v.number, v.properties.version])).toEqual([
      [1, "coffer-1"],
      [2, "foreign-old"],
      [3, "coffer-3"],
      [4, "foreign-new"],
    ]);
  });

  it("never lets a stale or copied tag make numbers go backwards", () => {
    const numbered = numberVersions([
      { version: "a", createdOn: at(1), tags: { "coffer-version": "4" } },
      { version: "b", createdOn: at(2), tags: { "coffer-version": "2" } },
    ]);
    expect(numbered.map((v) => v.number)).toEqual([4, 5]);
  });

  it("puts the current version last among versions of the same second written by other tools", () => {
    const versions = [
      { version: "zzz-newest", createdOn: at(4) },
      { version: "aaa-oldest", createdOn: at(4) },
    ];
    expect(hasAmbiguousOrder(versions)).toBe(true);
    expect(numberVersions(versions, "zzz-newest").map((v) => v.properties.version)).toEqual([
      "aaa-oldest",
      "zzz-newest",
    ]);
    expect(numberVersions(versions, "aaa-oldest").map((v) => v.properties.version)).toEqual([
      "zzz-newest",
      "aaa-oldest",
    ]);
    expect(
      hasAmbiguousOrder([
        { createdOn: at(4), tags: { "coffer-version": "1" } },
        { createdOn: at(4), tags: { "coffer-version": "2" } },
      ]),
    ).toBe(false);
  });
});
