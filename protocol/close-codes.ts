// Kept apart from the schemas so the browser can import it without pulling in valibot.
/**
 * WebSocket close codes the server uses, with the error code in the close reason.
 * The client resumes after all of them except Replaced and RoomClosed; after JoinTimeout
 * it reconnects only when it joins.
 */
export const CloseCode = {
  /** Client or server leaves deliberately (1000/1001): the participant leaves at once. */
  Normal: 1000,
  GoingAway: 1001,
  /** Repeated oversized, malformed or rate-limited frames. */
  PolicyViolation: 1008,
  /** A server-side failure while handling this socket. */
  ServerError: 1011,
  /** Another socket resumed this session. */
  Replaced: 4001,
  /** The client did not read fast enough: reconnect and resume for a fresh state. */
  TooSlow: 4002,
  /** No join within the join timeout (an idle pre-join page reconnects when it joins). */
  JoinTimeout: 4008,
  /** The meeting was closed for everyone. */
  RoomClosed: 4010,
  /** Over a connection cap (per address or in total): try again later. */
  TooManyConnections: 4029,
} as const;
