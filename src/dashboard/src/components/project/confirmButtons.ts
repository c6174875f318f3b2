// Buttons of confirmation dialogs (the app's one ConfirmDialog). Aura's danger red (red-500) under
// white text is below WCAG AA contrast, so a destructive choice gets the app's darker red instead.
const DARK_RED = "--p-button-danger-background: #b42318; --p-button-danger-border-color: #b42318; --p-button-danger-hover-background: #912018; --p-button-danger-hover-border-color: #912018; --p-button-danger-active-background: #7a271a; --p-button-danger-active-border-color: #7a271a";

export function destructive(label: string, testid?: string): Record<string, unknown> {
  return { label, severity: "danger", style: DARK_RED, ...(testid ? { "data-testid": testid } : {}) };
}

export function cancel(label: string): Record<string, unknown> {
  return { label, severity: "secondary", text: true };
}
