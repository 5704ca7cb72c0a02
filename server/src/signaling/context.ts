// What every handler gets: the socket's session (its room and peer once joined, or its
// place in a waiting room) and the server-wide services. Feature handlers live in their
// feature folders and are assembled into one dispatch table (dispatch.ts).
import type { Method, RequestData, ResponseData } from '../../../protocol/index.js';
import type { RoomAllocator } from '../allocation/RoomAllocator.js';
import type { Peer, PeerLink } from '../domain/Peer.js';
import type { Room } from '../domain/Room.js';
import type { RoomRegistry } from '../domain/RoomRegistry.js';
import type { RecordingServices } from '../recording/services.js';

export type AppRoom = Room<RoomAllocator>;
export type AppRegistry = RoomRegistry<RoomAllocator>;

export interface Session {
  room: AppRoom | null;
  peer: Peer | null;
  /** In a waiting room: which room, and the entry id. */
  waiting: { room: AppRoom; id: string } | null;
  readonly link: PeerLink;
}

export interface HandlerContext {
  registry: RoomRegistry<RoomAllocator>;
  session: Session;
  graceMs: number;
  videoCodec: 'vp8' | 'vp9';
  /** The recordings archive (absent in servers built without one). */
  recordings?: RecordingServices | undefined;
  /** A telephone caller (the phone gateway's own sessions); browsers otherwise. */
  channel?: 'browser' | 'phone';
  /** The dial-in number shown with invitations (THINLINE_PHONE_NUMBER). */
  phoneNumber?: string | undefined;
  /** Called once the socket's peer has joined or entered a waiting room (the join timeout stops). */
  onJoined?: () => void;
}

export type Handler<M extends Method> = (ctx: HandlerContext, data: RequestData<M>) => Promise<ResponseData[M]> | ResponseData[M];
export type Handlers<M extends Method> = { [K in M]: Handler<K> };
