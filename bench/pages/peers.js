// The page side of the peer benchmarks: each job done through the SDK's peers and, as the
// baseline, by hand on a raw RTCPeerConnection signalled through the same server with the SDK's
// client.signal (its own peer layer off), so both are measured in one browser and one run.
// Times are absolute (timeOrigin + now), so a job that starts on one page and ends on another
// can be timed.
import { connect } from '/js/index.js';

const GREETING = 'hi';
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

  async client(sdkPeers) {
    const client = await connect(undefined, { peers: { autoConnect: sdkPeers } });
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
};

window.bench = bench;
