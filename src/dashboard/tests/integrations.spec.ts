// A plugin's settings form from its JSON Schema (as msgspec writes it, behind a $ref into $defs),
// what a save sends, and how the server's field errors find their fields.
import { describe, expect, it } from "vitest";

import {
  fieldLabel,
  formFields,
  initialValues,
  type JsonSchema,
  resolveRef,
  secretFields,
  secretsBody,
  settingsBody,
  splitFieldErrors,
} from "@/components/integrations/schemaForm";

// What the API gives for the example plugin (msgspec.json.schema of its Structs).
const EXAMPLE_SETTINGS: JsonSchema = {
  $ref: "#/$defs/ExampleProjectSettings",
  $defs: {
    ExampleProjectSettings: {
      title: "ExampleProjectSettings",
      type: "object",
      properties: {
        labels: { type: "array", items: { type: "string" } },
        priority: { enum: ["high", "low", "normal", "urgent"], default: "normal" },
      },
      required: [],
    },
  },
};
const EXAMPLE_SECRETS: JsonSchema = {
  $ref: "#/$defs/ExampleProjectSecrets",
  $defs: {
    ExampleProjectSecrets: {
      title: "ExampleProjectSecrets",
      type: "object",
      properties: { token: { type: "string", minLength: 16 } },
      required: ["token"],
    },
  },
};

// Every kind the form knows, with nested $refs and null alternatives.
const RICH: JsonSchema = {
  $ref: "#/$defs/Rich",
  $defs: {
    Colour: { title: "Colour", enum: ["red", "green"] },
    Inner: { title: "Inner", type: "object", properties: { a: { type: "integer" } }, required: ["a"] },
    Rich: {
      type: "object",
      properties: {
        name: { type: "string", maxLength: 40, description: "Shown to senders" },
        retries: { type: "integer", minimum: 0, maximum: 10, default: 3 },
        ratio: { type: "number" },
        verbose: { type: "boolean", default: true },
        colour: { $ref: "#/$defs/Colour" },
        maybe_colour: { anyOf: [{ type: "null" }, { $ref: "#/$defs/Colour" }], default: null },
        note: { anyOf: [{ type: "string" }, { type: "null" }], default: null },
        channels: { type: "array", items: { type: "string" } },
        numbers: { type: "array", items: { type: "integer" } },
        inner: { $ref: "#/$defs/Inner" },
        mixed: { anyOf: [{ type: "string" }, { type: "integer" }] },
      },
      required: ["name", "colour"],
    },
  },
};

describe("resolving $ref", () => {
  it("follows a $ref into $defs, keeping the keywords beside it", () => {
    expect(resolveRef({ $ref: "#/$defs/Colour", title: "Mine" }, RICH)).toEqual({ title: "Mine", enum: ["red", "green"] });
  });

  it("follows chains and refuses cycles and unknown names", () => {
    const root = { $defs: { A: { $ref: "#/$defs/B" }, B: { type: "string" }, C: { $ref: "#/$defs/C" } } };
    expect(resolveRef({ $ref: "#/$defs/A" }, root)).toEqual({ type: "string" });
    expect(() => resolveRef({ $ref: "#/$defs/C" }, root)).toThrow(/circular/);
    expect(() => resolveRef({ $ref: "#/$defs/Nope" }, root)).toThrow(/unresolvable/);
  });

  it("reads the older #/definitions/ too", () => {
    expect(resolveRef({ $ref: "#/definitions/X" }, { definitions: { X: { type: "boolean" } } })).toEqual({ type: "boolean" });
  });
});

describe("form fields from a schema", () => {
  it("makes the example plugin's labels tags and its priority a select", () => {
    const fields = formFields(EXAMPLE_SETTINGS);
    expect(fields.map((f) => [f.name, f.kind, f.required])).toEqual([
      ["labels", "tags", false],
      ["priority", "enum", false],
    ]);
    expect(fields[1]?.options).toEqual(["high", "low", "normal", "urgent"]);
    expect(fields[1]?.default).toBe("normal");
  });

  it("maps every kind, and anything it cannot edit to JSON text", () => {
    const kinds = Object.fromEntries(formFields(RICH).map((f) => [f.name, [f.kind, f.nullable, f.required]]));
    expect(kinds).toEqual({
      name: ["string", false, true],
      retries: ["integer", false, false],
      ratio: ["number", false, false],
      verbose: ["boolean", false, false],
      colour: ["enum", false, true],
      maybe_colour: ["enum", true, false],
      note: ["string", true, false],
      channels: ["tags", false, false],
      numbers: ["json", false, false],
      inner: ["json", false, false],
      mixed: ["json", false, false],
    });
    const retries = formFields(RICH).find((f) => f.name === "retries");
    expect([retries?.minimum, retries?.maximum]).toEqual([0, 10]);
    expect(formFields(RICH).find((f) => f.name === "name")?.description).toBe("Shown to senders");
  });

  it("has no fields without a schema", () => {
    expect(formFields(null)).toEqual([]);
    expect(secretFields(null)).toEqual([]);
  });

  it("lists secrets with their bounds", () => {
    expect(secretFields(EXAMPLE_SECRETS)).toEqual([
      { name: "token", title: null, description: null, required: true, minLength: 16, maxLength: null },
    ]);
  });
});

describe("values and what a save sends", () => {
  it("starts from the stored settings, else the defaults", () => {
    const fields = formFields(RICH);
    const values = initialValues(fields, { name: "Bot", inner: { a: 1 }, channels: ["ops"] });
    expect(values).toMatchObject({
      name: "Bot",
      retries: 3,
      ratio: null,
      verbose: true,
      colour: null,
      maybe_colour: null,
      note: null,
      channels: ["ops"],
      numbers: "",
      inner: '{\n  "a": 1\n}',
    });
    expect(initialValues(formFields(EXAMPLE_SETTINGS), { labels: ["example"], priority: "normal" })).toEqual({
      labels: ["example"],
      priority: "normal",
    });
  });

  it("sends what is filled in, null for cleared nullable fields, and leaves empty ones to their defaults", () => {
    const fields = formFields(RICH);
    const values = {
      ...initialValues(fields, null),
      name: "",
      ratio: 0.5,
      colour: "red",
      channels: [],
      inner: '{"a": 2}',
      note: "",
    };
    expect(settingsBody(fields, values)).toEqual({
      settings: {
        name: "",
        retries: 3,
        ratio: 0.5,
        verbose: true,
        colour: "red",
        maybe_colour: null,
        note: null,
        channels: [],
        inner: { a: 2 },
      },
      invalid: {},
    });
  });

  it("names JSON text that does not parse instead of sending it", () => {
    const fields = formFields(RICH);
    const { settings, invalid } = settingsBody(fields, { ...initialValues(fields, null), inner: "{a:" });
    expect(invalid).toEqual({ inner: "json" });
    expect(settings).not.toHaveProperty("inner");
  });

  it("sends only the secrets typed or cleared", () => {
    expect(
      secretsBody({
        token: { value: "a-new-token-123456", clear: false },
        other: { value: "", clear: true },
        kept: { value: "", clear: false },
      }),
    ).toEqual({ token: "a-new-token-123456", other: null });
  });
});

describe("labels and errors", () => {
  it("uses the title, else the name in words", () => {
    expect(fieldLabel({ name: "api_key", title: null })).toBe("Api key");
    expect(fieldLabel({ name: "labels", title: "Task labels" })).toBe("Task labels");
  });

  it("splits the server's field errors into settings, secrets and the rest", () => {
    expect(
      splitFieldErrors([
        { field: "settings.priority", message: "Invalid enum value 'x'" },
        { field: "secrets.token", message: "Expected `str` of length >= 16" },
        { field: "settings", message: "This plugin has no settings." },
      ]),
    ).toEqual({
      settings: { priority: "Invalid enum value 'x'" },
      secrets: { token: "Expected `str` of length >= 16" },
      other: ["This plugin has no settings."],
    });
  });
});
