// The page side of the peer benchmarks: each job done through the SDK's peers and, as the
// baseline, by hand on a raw RTCPeerConnection signalled through the same server with the SDK's
// client.signal (its own peer layer off), so both are measured in one browser and one run.
// Times are absolute (timeOrigin + now), so a job that starts on one page and ends on another
// can be timed.
import { connect } from '/dist/rtcwire.js';

const GREETING = 'hi';
// The raw sender's backpressure is the SDK's (contract section 5): 64 KiB slices, at most 1 MiB
// in the channel's buffer, resumed at bufferedamountlow (256 KiB).
const CHUNK_BYTES = 64 * 1024;
const HIGH_WATER_BYTES = 1024 * 1024;
const LOW_WATER_BYTES = 256 * 1024;
const TIMEOUT_MS = 30000;

const clock = () => performance.timeOrigin + performance.now();

function bounded(promise, what) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

// One raw connection to `remote` with a negotiated channel (id 0, reliable, ordered: the SDK's
// default channel), ICE trickled through client.signal, remote candidates held until the remote
// description is set.
class RawLink {
  constructor(client, remote) {
    this.client = client;
    this.remote = remote;
    this.pc = new RTCPeerConnection();
    this.channel = this.pc.createDataChannel('raw', { negotiated: true, id: 0 });
    this.channel.binaryType = 'arraybuffer';
    this.channel.bufferedAmountLowThreshold = LOW_WATER_BYTES;
    this.pendingCandidates = [];
    this.pc.onicecandidate = ({ candidate }) =>
      client.signal(remote, { candidate: candidate ? candidate.toJSON() : null });
  }

  async offer() {
    await this.pc.setLocalDescription();
    this.client.signal(this.remote, { description: this.pc.localDescription.toJSON() });
  }

  async onSignal({ description, candidate }) {
    if (description) {
      await this.pc.setRemoteDescription(description);
      if (description.type === 'offer') {
        await this.pc.setLocalDescription();
        this.client.signal(this.remote, { description: this.pc.localDescription.toJSON() });
      }
      for (const held of this.pendingCandidates.splice(0)) await this.pc.addIceCandidate(held ?? undefined);
    } else if (candidate !== undefined) {
      if (this.pc.remoteDescription) await this.pc.addIceCandidate(candidate ?? undefined);
      else this.pendingCandidates.push(candidate);
    }
  }

  close() {
    this.pc.close();
  }
}

// The raw side of a client: a link per peer that signals it, created on its first message.
function answerRawLinks(client, links, onLink) {
  client.on('signal', ({ from, data }) => {
    let link = links.get(from);
    if (!link) {
      link = new RawLink(client, from);
      links.set(from, link);
      onLink(link);
    }
    link.onSignal(data);
  });
}

const bench = {
  clients: [],
  links: new Map(),
  // Peer options of the SDK clients made from now on (relay benchmarks: TURN servers, 'relay').
  peerOptions: {},

  usePeerOptions(options) {
    this.peerOptions = options;
  },

  async client(sdkPeers) {
    const client = await connect(undefined, { peers: { ...this.peerOptions, autoConnect: sdkPeers } });
    this.clients.push(client);
    return client;
  },

  // Ends the previous job: its clients and raw connections.
  reset() {
    for (const client of this.clients.splice(0)) client.close();
    for (const link of this.links.values()) link.close();
    this.links.clear();
  },

  // ---- p2p_connect_ms: the host waits in the room and greets whoever connects to it ----

  async hostSdk(room) {
    const client = await this.client(true);
    // Sent at once: the SDK holds it until the default channel exists and opens.
    client.on('peer', (peer) => peer.send(GREETING));
    await client.join(room);
  },

  async hostRaw(room) {
    const client = await this.client(false);
    answerRawLinks(client, this.links, (link) => {
      link.channel.onopen = () => link.channel.send(GREETING);
    });
    await client.join(room);
  },

  // Milliseconds from join() to the host's greeting: the default channel open, plus one trip.
  async joinSdk(room) {
    const client = await this.client(true);
    const greeted = new Promise((resolve) => {
      client.on('peer', (peer) => peer.on('message', () => resolve(clock())));
    });
    const start = clock();
    await client.join(room);
    return (await bounded(greeted, 'the SDK greeting')) - start;
  },

  async joinRaw(room) {
    const client = await this.client(false);
    answerRawLinks(client, this.links, () => {});
    const start = clock();
    const { peers } = await client.join(room);
    const link = new RawLink(client, peers[0]);
    this.links.set(peers[0], link);
    const greeted = new Promise((resolve) => {
      link.channel.onmessage = () => resolve(clock());
    });
    await link.offer();
    return (await bounded(greeted, 'the raw greeting')) - start;
  },

  // ---- mesh_4_connect_ms: every page greets every peer; done once greeted by `others` ----

  async meshClient() {
    const client = await this.client(true);
    const greetedBy = new Set();
    let greetedAll;
    this.meshGreeted = new Promise((resolve) => (greetedAll = resolve));
    client.on('peer', (peer) => {
      peer.send(GREETING);
      peer.on('message', () => {
        greetedBy.add(peer.id);
        if (greetedBy.size === this.meshOthers) greetedAll(clock());
      });
    });
    this.meshClientReady = client;
  },

  // Resolves with [join start, greeted by all others].
  async meshJoin(room, others) {
    this.meshOthers = others;
    const start = clock();
    await this.meshClientReady.join(room);
    return [start, await bounded(this.meshGreeted, 'the mesh greetings')];
  },

  // ---- file_throughput_mbps: `bytes` random bytes, one sender, one receiver ----

  makePayload(bytes) {
    const data = new Uint8Array(bytes);
    for (let offset = 0; offset < bytes; offset += 65536) {
      crypto.getRandomValues(data.subarray(offset, Math.min(bytes, offset + 65536)));
    }
    this.payload = new Blob([data]);
  },

  // Both sides in `room`, connected and greeted; the receiver accepts every transfer.
  async filePeerSdk(room, receiving) {
    const client = await this.client(true);
    this.fileReceived = new Promise((resolve) => {
      client.on('peer', (peer) => {
        this.filePeer = peer;
        peer.send(GREETING);
        if (receiving) peer.on('transfer', (transfer) => transfer.accept().then(() => resolve(clock())));
      });
    });
    this.fileGreeted = new Promise((resolve) => {
      client.on('peer', (peer) => peer.on('message', resolve));
    });
    await client.join(room);
  },

  async untilGreeted() {
    await bounded(this.fileGreeted, 'the greeting');
  },

  // The sender's start time; the transfer's own promise is left to the receiver's clock.
  sendFileSdk() {
    const start = clock();
    this.filePeer.sendFile(this.payload, { name: 'payload.bin', type: 'application/octet-stream' });
    return start;
  },

  async fileReceivedAt() {
    return bounded(this.fileReceived, 'the received file');
  },

  async filePeerRaw(room, receiving, bytes) {
    const client = await this.client(false);
    const opened = new Promise((resolve) => {
      this.onRawLink = (link) => {
        this.rawLink = link;
        link.channel.onopen = resolve;
        if (receiving) this.fileReceived = receiveRaw(link.channel, bytes);
      };
    });
    answerRawLinks(client, this.links, (link) => this.onRawLink(link));
    const { peers } = await client.join(room);
    if (peers.length > 0) {
      const link = new RawLink(client, peers[0]);
      this.links.set(peers[0], link);
      this.onRawLink(link);
      await link.offer();
    }
    this.fileGreeted = opened;
  },

  sendFileRaw() {
    const start = clock();
    sendRaw(this.rawLink.channel, this.payload);
    return start;
  },
};

// The payload in 64 KiB slices read from the Blob one at a time, paused above the high water.
async function sendRaw(channel, blob) {
  for (let offset = 0; offset < blob.size; offset += CHUNK_BYTES) {
    if (channel.bufferedAmount > HIGH_WATER_BYTES) {
      await new Promise((resolve) => channel.addEventListener('bufferedamountlow', resolve, { once: true }));
    }
    channel.send(await blob.slice(offset, offset + CHUNK_BYTES).arrayBuffer());
  }
}

// Resolves at the time the last byte arrived and the chunks became one Blob.
function receiveRaw(channel, bytes) {
  return new Promise((resolve) => {
    const chunks = [];
    let received = 0;
    channel.onmessage = ({ data }) => {
      chunks.push(data);
      received += data.byteLength;
      if (received < bytes) return;
      const blob = new Blob(chunks);
      if (blob.size === bytes) resolve(clock());
    };
  });
}

window.bench = bench;
