// API errors become messages in the user's language, with each named field's message beside it.
import { describe, expect, it } from "vitest";

import { ApiError } from "@/api/problem";
import { describeError } from "@/composables/useErrors";
import { i18n } from "@/i18n";

const { t, te } = i18n.global;

describe("describeError", () => {
  it("translates the problem's code and each field's message", () => {
    i18n.global.locale.value = "ru";
    const err = new ApiError(422, {
      type: "about:blank",
      title: "The request is not valid",
      status: 422,
      code: "validation_error",
      errors: [
        { field: "key", message: "Expected `str` of length >= 2" },
        { field: "name", message: "Object missing required field `name`" },
      ],
    });
    const described = describeError(err, t, te);
    expect(described.message).toBe("Некоторые поля заполнены неверно.");
    expect(described.fields).toEqual({ key: "Не меньше 2 символов", name: "Обязательное поле" });
  });

  it("falls back to the server's translated title for a code it does not know", () => {
    i18n.global.locale.value = "en";
    const err = new ApiError(409, { type: "about:blank", title: "Conflict with the current state", status: 409, code: "something_new" });
    expect(describeError(err, t, te).message).toBe("Conflict with the current state");
  });

  it("says the server cannot be reached when the network fails", () => {
    i18n.global.locale.value = "en";
    expect(describeError(new ApiError(0, null, "Failed to fetch"), t, te).message).toMatch(/cannot be reached/);
  });
});
