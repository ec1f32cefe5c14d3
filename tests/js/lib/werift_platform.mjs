// werift's RTCPeerConnection (a WebRTC stack in TypeScript that no one here wrote) as the platform's
// RTCPeerConnection, with 127.0.0.1 among its host candidates and connectivity checks to 127.0.0.1
// only: the tests stay on loopback.
import { RTCPeerConnection } from 'werift';

export class LoopbackPeerConnection extends RTCPeerConnection {
  constructor(config = {}) {
    super({
      ...config,
      iceUseIpv6: false,
      iceAdditionalHostAddresses: ['127.0.0.1'],
      iceInterfaceAddresses: { udp4: '127.0.0.1' },
      iceFilterCandidatePair: (pair) => pair.remoteCandidate.host === '127.0.0.1',
    });
  }
}

/** The werift connections a test created, to look under the SDK (bufferedAmount, candidates). */
export function recordingPeerConnection() {
  const created = [];
  class Recording extends LoopbackPeerConnection {
    constructor(config) {
      super(config);
      created.push(this);
    }
  }
  return { RTCPeerConnection: Recording, created };
}
