// What the pre-join page hands to the call: the devices that answered, and those still opening.
export interface DeviceChoice {
  name: string;
  mic: MediaStreamTrack | null;
  camera: MediaStreamTrack | null;
  /** Devices still opening; each is published when it answers (null: none after all). */
  pending?: { mic?: Promise<MediaStreamTrack | null>; camera?: Promise<MediaStreamTrack | null> };
}
