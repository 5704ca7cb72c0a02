// Phone dial-in: moderators see the meeting's dial-in number and PIN and can regenerate
// the PIN; phone participants appear with `channel: 'phone'` (see PeerInfo).
import * as v from 'valibot';
import { request } from './common.js';

export const phoneRequests = [
  request('regenerateDialInPin', v.strictObject({})),
] as const;

export interface DialIn {
  /** The number to call (operator's configuration), if set. */
  number: string | null;
  /** The meeting number callers type, then # . */
  id: string;
  pin: string;
}

export interface PhoneResponses {
  regenerateDialInPin: { dialIn: DialIn };
}
