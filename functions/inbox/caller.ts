/**
 * Who is asking the inbox, and what the inbox lets them see. The caller is proven by the door in
 * front of the inbox (mutual TLS, issue 10 items 1–2), never by anything the request says; these
 * rules take it as given. Only its shape is declared here, so any authenticated client with these
 * fields can be passed in.
 */

export interface InboxCaller {
  /** The registered client's id. */
  readonly clientId: string;
  /** The municipalities (three-digit codes) the client acts for. */
  readonly municipalities: readonly string[];
  /** The message types it may receive. */
  readonly receives: readonly string[];
  /** Where its messages are pushed as well, if it registered a webhook. */
  readonly webhook?: { readonly url: string };
}

/** A refusal an HTTP door answers with: the status and the rule that refused, never personal data. */
export interface Refusal {
  readonly status: 400 | 403 | 404;
  readonly error: string;
  readonly message: string;
}

/** The rule behind a 403 for another municipality's inbox, named in every such answer. */
export const OWN_MUNICIPALITY_RULE = 'own-municipality-only';

/** A client reads the inbox of a municipality it acts for, and no other. */
export const refuseMunicipality = (caller: InboxCaller, municipality: string): Refusal | undefined => {
  if (!/^\d{3}$/.test(municipality)) return { status: 400, error: 'municipality', message: 'municipality must be a three-digit code' };
  if (caller.municipalities.includes(municipality)) return undefined;
  return {
    status: 403,
    error: OWN_MUNICIPALITY_RULE,
    message: `client ${caller.clientId} does not act for municipality ${municipality}: a client reads only its own municipalities' inboxes`,
  };
};

/** Whether the caller may receive a message of this type (a type it did not register for is skipped, not refused). */
export const mayReceive = (caller: InboxCaller, type: string): boolean => caller.receives.includes(type);

/** Whether a message of `type` for `municipality` goes to this client's webhook. */
export const wantsPush = (caller: InboxCaller, municipality: string, type: string): boolean =>
  caller.webhook !== undefined && caller.municipalities.includes(municipality) && mayReceive(caller, type);
