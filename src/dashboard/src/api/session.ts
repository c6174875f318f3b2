// The in-memory access token and how to get a fresh one; the auth store fills it in.
// Kept apart from the store so the API client does not import Pinia.

export interface Session {
  accessToken: string | null;
  locale: string;
  /** Trade the refresh cookie for a new access token; false when the sign-in is over. */
  refresh: () => Promise<boolean>;
  /** Called when the server says the sign-in ended (revoked, deactivated). */
  signedOut: (code: string) => void;
}

export const session: Session = {
  accessToken: null,
  locale: "en",
  refresh: async () => false,
  signedOut: () => undefined,
};
