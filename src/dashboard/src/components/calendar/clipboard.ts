// Copying a URL: the Clipboard API where the page may use it (HTTPS or localhost), else the old
// copy command on the selected text field; false when neither worked, so the user copies by hand.
export async function copyText(text: string, field?: HTMLInputElement | null): Promise<boolean> {
  try {
    if (globalThis.navigator?.clipboard && globalThis.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Refused (no permission, page not focused): fall back to selecting the text.
  }
  if (!field) return false;
  field.focus();
  field.select();
  try {
    return document.execCommand("copy");
  } catch {
    return false;
  }
}

/** The same feed as a `webcal://` link, which opens the subscription dialog of the system's calendar app. */
export function webcalUrl(url: string): string {
  return url.replace(/^https?:\/\//, "webcal://");
}
