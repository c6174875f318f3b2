// A plugin's per-project settings form, made from the JSON Schema the API gives (msgspec's: the
// object sits behind a `$ref` into `$defs`). Each property becomes a field the dashboard knows how to
// edit: text, number, switch, select (enum), tags (array of strings); anything else is edited as JSON
// text. Secrets are write-only: the form only says whether each is set, and what the owner typed
// (or chose to clear) is all that is sent. Pure functions, so the mapping is tested without a DOM.

export type JsonSchema = { [key: string]: unknown };

export type FieldKind = "string" | "integer" | "number" | "boolean" | "enum" | "tags" | "json";

export interface FormField {
  name: string;
  kind: FieldKind;
  /** The schema's title, when it gives one. */
  title: string | null;
  description: string | null;
  required: boolean;
  /** `null` is allowed (an `anyOf` with a null member, or a `type` list with "null"). */
  nullable: boolean;
  /** The choices of an enum. */
  options: (string | number)[];
  default: unknown;
  minLength: number | null;
  maxLength: number | null;
  minimum: number | null;
  maximum: number | null;
}

/** What a field holds while edited: JSON fields as their text, numbers as null when empty. */
export type FieldValue = string | number | boolean | string[] | null;

export interface SecretField {
  name: string;
  title: string | null;
  description: string | null;
  required: boolean;
  minLength: number | null;
  maxLength: number | null;
}

/** A secret as edited: a new value typed (empty: unchanged), or a request to clear the stored one. */
export interface SecretDraft {
  value: string;
  clear: boolean;
}

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `schema` with its `$ref` (into `#/$defs/` or `#/definitions/` of `root`) followed, as often as it takes. */
export function resolveRef(schema: JsonSchema, root: JsonSchema): JsonSchema {
  let current = schema;
  const seen = new Set<string>();
  while (typeof current.$ref === "string") {
    const ref = current.$ref;
    if (seen.has(ref)) throw new Error(`circular $ref: ${ref}`);
    seen.add(ref);
    const match = /^#\/(\$defs|definitions)\/(.+)$/.exec(ref);
    const defs = match ? root[match[1] as string] : undefined;
    const target = match && isSchema(defs) ? defs[decodeURIComponent(match[2] as string).replace(/~1/g, "/").replace(/~0/g, "~")] : undefined;
    if (!isSchema(target)) throw new Error(`unresolvable $ref: ${ref}`);
    // Keywords beside a $ref (a title, a default) describe this use of it and win over the target's.
    const beside = { ...current };
    delete beside.$ref;
    current = { ...target, ...beside };
  }
  return current;
}

/** The schema's own type names (a `type` list counts each). */
function typesOf(schema: JsonSchema): string[] {
  if (typeof schema.type === "string") return [schema.type];
  if (Array.isArray(schema.type)) return schema.type.filter((t): t is string => typeof t === "string");
  return [];
}

/** The schema without a null alternative, and whether it had one. */
function withoutNull(schema: JsonSchema, root: JsonSchema): { schema: JsonSchema; nullable: boolean } {
  const alternatives = Array.isArray(schema.anyOf) ? schema.anyOf : Array.isArray(schema.oneOf) ? schema.oneOf : null;
  if (alternatives) {
    const members = alternatives.filter(isSchema).map((m) => resolveRef(m, root));
    const others = members.filter((m) => !(typesOf(m).length === 1 && typesOf(m)[0] === "null"));
    if (others.length === 1 && members.length === 2) {
      const beside = { ...schema };
      delete beside.anyOf;
      delete beside.oneOf;
      return { schema: { ...(others[0] as JsonSchema), ...beside }, nullable: true };
    }
    return { schema, nullable: false };
  }
  const types = typesOf(schema);
  if (types.length === 2 && types.includes("null")) {
    return { schema: { ...schema, type: types.find((t) => t !== "null") }, nullable: true };
  }
  if (Array.isArray(schema.enum) && schema.enum.includes(null)) {
    return { schema: { ...schema, enum: schema.enum.filter((v) => v !== null) }, nullable: true };
  }
  return { schema, nullable: false };
}

function kindOf(schema: JsonSchema, root: JsonSchema): FieldKind {
  if (Array.isArray(schema.enum) && schema.enum.length && schema.enum.every((v) => typeof v === "string" || typeof v === "number")) {
    return "enum";
  }
  const types = typesOf(schema);
  if (types.length !== 1) return "json";
  switch (types[0]) {
    case "string":
      return "string";
    case "integer":
      return "integer";
    case "number":
      return "number";
    case "boolean":
      return "boolean";
    case "array": {
      const items = isSchema(schema.items) ? resolveRef(schema.items, root) : null;
      return items && typesOf(items).length === 1 && typesOf(items)[0] === "string" ? "tags" : "json";
    }
    default:
      return "json";
  }
}

const num = (value: unknown): number | null => (typeof value === "number" ? value : null);
const text = (value: unknown): string | null => (typeof value === "string" && value ? value : null);

/** The object schema's properties, resolved, with the `required` list. */
function objectOf(schema: JsonSchema | null): { root: JsonSchema; properties: [string, JsonSchema][]; required: Set<string> } | null {
  if (!schema) return null;
  const object = resolveRef(schema, schema);
  const properties = isSchema(object.properties) ? Object.entries(object.properties).filter((e): e is [string, JsonSchema] => isSchema(e[1])) : [];
  const required = new Set(Array.isArray(object.required) ? object.required.filter((r): r is string => typeof r === "string") : []);
  return { root: schema, properties, required };
}

/** The form's fields, in the schema's order (no schema: no fields). */
export function formFields(schema: JsonSchema | null): FormField[] {
  const object = objectOf(schema);
  if (!object) return [];
  return object.properties.map(([name, raw]) => {
    const { schema: prop, nullable } = withoutNull(resolveRef(raw, object.root), object.root);
    const kind = kindOf(prop, object.root);
    return {
      name,
      kind,
      title: text(prop.title),
      description: text(prop.description),
      required: object.required.has(name),
      nullable,
      options: kind === "enum" ? (prop.enum as (string | number)[]) : [],
      default: prop.default,
      minLength: num(prop.minLength),
      maxLength: num(prop.maxLength),
      minimum: num(prop.minimum),
      maximum: num(prop.maximum),
    };
  });
}

/** The secrets a plugin declares (none without a schema). */
export function secretFields(schema: JsonSchema | null): SecretField[] {
  const object = objectOf(schema);
  if (!object) return [];
  return object.properties.map(([name, raw]) => {
    const prop = resolveRef(raw, object.root);
    return {
      name,
      title: text(prop.title),
      description: text(prop.description),
      required: object.required.has(name),
      minLength: num(prop.minLength),
      maxLength: num(prop.maxLength),
    };
  });
}

/** The value a field starts from: the stored setting, else the schema's default, else empty. */
export function initialValue(field: FormField, stored: unknown): FieldValue {
  const value = stored !== undefined ? stored : field.default;
  switch (field.kind) {
    case "string":
      return typeof value === "string" ? value : field.nullable && value === null ? null : "";
    case "integer":
    case "number":
      return typeof value === "number" ? value : null;
    case "boolean":
      return typeof value === "boolean" ? value : false;
    case "enum":
      return typeof value === "string" || typeof value === "number" ? value : null;
    case "tags":
      return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
    case "json":
      return value === undefined ? "" : JSON.stringify(value, null, 2);
  }
}

/** Every field's starting value, by name. */
export function initialValues(fields: FormField[], settings: Record<string, unknown> | null): Record<string, FieldValue> {
  return Object.fromEntries(fields.map((f) => [f.name, initialValue(f, settings?.[f.name])]));
}

export interface SettingsBody {
  settings: Record<string, unknown>;
  /** Field name → a problem found before sending (only JSON text that does not parse). */
  invalid: Record<string, "json">;
}

/**
 * The `settings` of a PUT (which replaces all settings). An empty optional field is left out, so the
 * plugin's default applies; a nullable one is sent as null. An empty required field is left out too,
 * and the server names it.
 */
export function settingsBody(fields: FormField[], values: Record<string, FieldValue>): SettingsBody {
  const settings: Record<string, unknown> = {};
  const invalid: Record<string, "json"> = {};
  for (const field of fields) {
    const value = values[field.name] ?? null;
    const empty = value === null || (typeof value === "string" && field.kind !== "string" && value.trim() === "");
    if (empty) {
      if (field.nullable) settings[field.name] = null;
      continue;
    }
    if (field.kind === "json") {
      try {
        settings[field.name] = JSON.parse(value as string);
      } catch {
        invalid[field.name] = "json";
      }
      continue;
    }
    if (field.kind === "string" && value === "" && field.nullable) {
      settings[field.name] = null;
      continue;
    }
    settings[field.name] = value;
  }
  return { settings, invalid };
}

/** The `secrets` of a PUT: a typed value sets a secret, a clear request sends null, the rest stay as stored. */
export function secretsBody(drafts: Record<string, SecretDraft>): Record<string, string | null> {
  const secrets: Record<string, string | null> = {};
  for (const [name, draft] of Object.entries(drafts)) {
    if (draft.value) secrets[name] = draft.value;
    else if (draft.clear) secrets[name] = null;
  }
  return secrets;
}

/** A label for a field the schema gives no title: `api_key` → `Api key`. */
export function fieldLabel(field: { name: string; title: string | null }): string {
  if (field.title) return field.title;
  const words = field.name.replace(/[_-]+/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * The server's 422 names fields as `settings.<name>` or `secrets.<name>` (or just `settings`); this
 * splits them into the form's two groups, plus what is about the whole form.
 */
export function splitFieldErrors(errors: { field: string; message: string }[]): {
  settings: Record<string, string>;
  secrets: Record<string, string>;
  other: string[];
} {
  const out = { settings: {} as Record<string, string>, secrets: {} as Record<string, string>, other: [] as string[] };
  for (const { field, message } of errors) {
    const match = /^(settings|secrets)\.([^.[\]]+)/.exec(field);
    if (match) out[match[1] as "settings" | "secrets"][match[2] as string] = message;
    else out.other.push(message);
  }
  return out;
}
