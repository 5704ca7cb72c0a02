// Phone dial-in requests from browsers: moderators regenerate the meeting's PIN (a PIN
// that leaked stops working at once).
import type { Method } from '../../../protocol/index.js';
import { allow } from '../meeting/authorize.js';
import { dialIn } from '../session/handlers.js';
import type { Handlers } from '../signaling/context.js';
import { joined } from '../signaling/guards.js';

export const phoneHandlers: Handlers<Extract<Method, 'regenerateDialInPin'>> = {
  regenerateDialInPin(ctx) {
    const { room, peer } = joined(ctx);
    allow(room, peer, 'setSettings');
    ctx.registry.regenerateDialInPin(room);
    room.meeting.log(peer, 'dialInPinRegenerated', null);
    return { dialIn: dialIn(ctx, room) };
  },
};
