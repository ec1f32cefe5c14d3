// Executes the core's `peer` actions on RTCPeerConnections, RTCDataChannels and media tracks kept in
// handle tables, and reports what they do as peer events. It holds no negotiation rule: the core
// says what to do and when; this only does it. Payloads wait here until the core lets them go
// (channel-flush), so they never cross into Wasm memory.
import { summariseStats } from '../peer/stats_summary.js';

// Handles this side allocates (remote channels, media) are kept apart from the core's.
const FIRST_REMOTE_CHANNEL = 0x80000000;
// RFC 8841's max-message-size when the remote description gives none.
const DEFAULT_MAX_MESSAGE_SIZE = 65536;
// candidate-error strings: at most 768 UTF-8 bytes, under the core's 1024.
const MAX_DIAGNOSTIC_CHARS = 256;

export class PeerConnections {
  #platform;
  #sink;
  #connections = new Map(); // pc handle -> { connection, peer, senders: Map(track handle -> sender), stats }
  #channels = new Map(); // channel handle -> { channel, pc, peer, label, queue, queuedBytes, credit, reading, listeners }
  #nextRemoteChannel = FIRST_REMOTE_CHANNEL;
  #media;

  // `sink.event(event)`: a peer event for the core. `sink.message({peer, label, channel}, data)`: a
  // message arrived on a channel (data: a string or an ArrayBuffer). `media`: the MediaHandles
  // table shared with the client (local tracks it registered, remote ones registered here).
  constructor(platform, sink, media) {
    this.#platform = platform;
    this.#sink = sink;
    this.#media = media;
  }

  execute(action) {
    switch (action.type) {
      case 'pc-create':
        this.#create(action.peer, action.pc, action.config);
        break;
      case 'pc-close':
        this.#close(action.pc);
        break;
      case 'set-local':
        this.#operate(action, (connection) =>
          connection.setLocalDescription().then(() => ({
            description: plainDescription(connection.localDescription),
          })),
        );
        break;
      case 'set-remote':
        this.#operate(action, (connection) =>
          connection.setRemoteDescription(action.description).then(() => ({})),
        );
        break;
      case 'add-candidate':
        this.#operate(action, (connection) =>
          connection.addIceCandidate(action.candidate ?? undefined).then(() => ({})),
        );
        break;
      case 'get-stats':
        this.#operate(action, (connection, entry) =>
          connection.getStats().then((report) => {
            const { summary, sample } = summariseStats(report, entry.stats);
            entry.stats = sample;
            return { stats: summary };
          }),
        );
        break;
      case 'set-configuration':
        this.#connection(action.pc, (connection) => connection.setConfiguration(action.config));
        break;
      case 'restart-ice':
        this.#connection(action.pc, (connection) => connection.restartIce());
        break;
      case 'channel-create':
        this.#createChannel(action);
        break;
      case 'channel-close':
        this.#closeChannel(action.channel);
        break;
      case 'channel-flush':
        this.#flush(action.channel, action.count);
        break;
      case 'channel-threshold': {
        const entry = this.#channels.get(action.channel);
        if (!entry) break;
        entry.threshold = action.bytes;
        entry.channel.bufferedAmountLowThreshold = action.bytes;
        break;
      }
      case 'track-add':
        this.#addTrack(action.pc, action.track, action.stream);
        break;
      case 'track-remove':
        this.#removeTrack(action.pc, action.track);
        break;
      case 'track-replace':
        return this.#replaceTrack(action.pc, action.old, action.new);
    }
    return undefined;
  }

  /** Holds `payload` (string | ArrayBuffer | Blob, `bytes` long) until the core flushes it. */
  enqueue(channel, payload, bytes) {
    const entry = this.#channels.get(channel);
    if (!entry) return;
    entry.queue.push({ payload, bytes });
    entry.queuedBytes += bytes;
  }

  /**
   * Sends at once, outside the core's queue (file chunks: the core's transfer window bounds them);
   * false when the channel is not open.
   */
  sendNow(channel, data) {
    const entry = this.#channels.get(channel);
    if (entry?.channel.readyState !== 'open') return false;
    try {
      entry.channel.send(data);
      return true;
    } catch {
      return false;
    }
  }

  /** The newest open-or-opening channel with `label` to `peer`, or null. */
  channelOf(peer, label) {
    let found = null;
    for (const [handle, entry] of this.#channels) {
      if (entry.peer === peer && entry.label === label) found = handle;
    }
    return found;
  }

  /** Bytes of a channel not on the wire yet: queued here, or held by the browser. */
  bufferedAmount(channel) {
    const entry = this.#channels.get(channel);
    return entry ? entry.queuedBytes + entry.channel.bufferedAmount : 0;
  }

  closeAll() {
    for (const pc of [...this.#connections.keys()]) this.#close(pc);
  }

  #create(peer, pc, config) {
    let connection;
    try {
      connection = new this.#platform.RTCPeerConnection(config);
    } catch {
      // No WebRTC here (or a bad configuration): the connection fails like one that could not connect.
      this.#sink.event({ type: 'connection-state', pc, state: 'failed' });
      return;
    }
    // media: handles of the remote tracks and streams this connection holds until it closes.
    const entry = { connection, peer, senders: new Map(), media: [], stats: null };
    this.#connections.set(pc, entry);
    const report = (event) => {
      if (this.#connections.get(pc) === entry) this.#sink.event({ ...event, pc });
    };
    listen(connection, {
      negotiationneeded: () => report({ type: 'negotiation-needed' }),
      signalingstatechange: () =>
        report({ type: 'signaling-state', state: connection.signalingState }),
      icecandidate: ({ candidate }) =>
        report({ type: 'ice-candidate', candidate: candidateInit(candidate) }),
      // For the core's diagnosis only (turn_failed, ice_failed): strings bounded for the boundary.
      icecandidateerror: ({ url, errorCode, errorText }) =>
        report({
          type: 'candidate-error',
          url: String(url ?? '').slice(0, MAX_DIAGNOSTIC_CHARS),
          errorCode: Number.isInteger(errorCode) && errorCode >= 0 && errorCode <= 999 ? errorCode : 0,
          errorText: String(errorText ?? '').slice(0, MAX_DIAGNOSTIC_CHARS),
        }),
      iceconnectionstatechange: () =>
        report({ type: 'ice-state', state: connection.iceConnectionState }),
      connectionstatechange: () =>
        report({ type: 'connection-state', state: connection.connectionState }),
      datachannel: ({ channel }) => {
        if (this.#connections.get(pc) !== entry) return;
        const handle = this.#nextRemoteChannel++;
        this.#sink.event({
          type: 'channel-remote',
          pc,
          channel: handle,
          label: channel.label,
          ordered: channel.ordered,
          maxRetransmits: channel.maxRetransmits ?? null,
          maxPacketLifeTime: channel.maxPacketLifeTime ?? null,
          protocol: channel.protocol,
        });
        this.#adopt(handle, channel, pc, peer);
      },
      track: ({ track, streams }) => {
        if (this.#connections.get(pc) !== entry) return;
        const hold = (object) => {
          const handle = this.#media.hold(object);
          entry.media.push(handle);
          return handle;
        };
        report({
          type: 'track-remote',
          track: hold(track),
          kind: track.kind,
          // Stream ids are the handles, as text: the remote's own MediaStream ids could collide.
          streams: [...(streams ?? [])].map((stream) => String(hold(stream))),
        });
      },
    });
  }

  #close(pc) {
    const entry = this.#connections.get(pc);
    if (!entry) return;
    this.#connections.delete(pc);
    for (const [handle, channel] of this.#channels) {
      if (channel.pc === pc) this.#forgetChannel(handle);
    }
    // Closing fires no events on the connection itself; its late callbacks are dropped above.
    entry.connection.close();
    // After the outputs being run: a track notice of the same batch still finds its objects.
    queueMicrotask(() => entry.media.forEach((handle) => this.#media.release(handle)));
  }

  // An async operation: its outcome goes back as op-done or op-failed with the same pc and op.
  #operate({ pc, op }, start) {
    const entry = this.#connections.get(pc);
    if (!entry) {
      this.#sink.event({ type: 'op-failed', pc, op, error: { name: 'InvalidStateError', message: 'no such connection' } });
      return;
    }
    const { connection } = entry;
    let running;
    try {
      running = start(connection, entry);
    } catch (error) {
      running = Promise.reject(error);
    }
    running.then(
      (result) => {
        if (this.#connections.get(pc) !== entry) return;
        this.#sink.event({ type: 'op-done', pc, op, signalingState: connection.signalingState, ...result });
      },
      (error) => {
        if (this.#connections.get(pc) !== entry) return;
        this.#sink.event({ type: 'op-failed', pc, op, error: { name: error?.name ?? 'Error', message: describe(error) } });
      },
    );
  }

  // A synchronous call on a live connection; one that throws changes nothing here: the
  // connection's own state events tell the core what happened.
  #connection(pc, call) {
    const entry = this.#connections.get(pc);
    if (!entry) return;
    try {
      call(entry.connection);
    } catch {
      // See above.
    }
  }

  #createChannel({ pc, channel: handle, label, options }) {
    const entry = this.#connections.get(pc);
    let channel;
    try {
      if (!entry) throw new Error('no such connection');
      channel = entry.connection.createDataChannel(label, options);
    } catch {
      this.#sink.event({ type: 'channel-closed', channel: handle });
      return;
    }
    this.#adopt(handle, channel, pc, entry.peer);
  }

  #adopt(handle, channel, pc, peer) {
    const entry = {
      channel,
      pc,
      peer,
      label: channel.label,
      queue: [],
      queuedBytes: 0,
      credit: 0,
      reading: false,
      threshold: 0,
    };
    this.#channels.set(handle, entry);
    channel.binaryType = 'arraybuffer';
    const live = () => this.#channels.get(handle) === entry;
    const opened = () => {
      const connection = this.#connections.get(pc)?.connection;
      this.#sink.event({ type: 'channel-open', channel: handle, maxMessageSize: maxMessageSizeOf(connection) });
    };
    entry.listeners = {
      open: () => live() && opened(),
      close: () => {
        if (!live()) return;
        this.#forgetChannel(handle);
        this.#sink.event({ type: 'channel-closed', channel: handle });
      },
      bufferedamountlow: () => {
        if (!live()) return;
        this.#sink.event({ type: 'channel-low', channel: handle, bufferedAmount: channel.bufferedAmount });
        this.#pump(handle, entry);
      },
      message: ({ data }) => {
        if (live()) this.#sink.message({ peer, label: entry.label, channel: handle }, messageData(data));
      },
    };
    listen(channel, entry.listeners);
    // A remote channel may be open by the time it is announced.
    if (channel.readyState === 'open') opened();
  }

  #closeChannel(handle) {
    const entry = this.#channels.get(handle);
    if (!entry) return;
    this.#forgetChannel(handle);
    entry.channel.close();
  }

  // Its queued payloads go with it: the core counted them as lost with the channel.
  #forgetChannel(handle) {
    const entry = this.#channels.get(handle);
    this.#channels.delete(handle);
    for (const [name, listener] of Object.entries(entry.listeners ?? {})) {
      entry.channel.removeEventListener(name, listener);
    }
  }

  #flush(handle, count) {
    const entry = this.#channels.get(handle);
    if (!entry) return;
    entry.credit += count;
    this.#pump(handle, entry);
  }

  // Sends queued payloads while the core's credit lasts, in order; a Blob is read first.
  #pump(handle, entry) {
    let sent = 0;
    while (entry.credit > 0 && entry.queue.length > 0 && !entry.reading) {
      const { payload, bytes } = entry.queue[0];
      if (typeof payload !== 'string' && !(payload instanceof ArrayBuffer)) {
        entry.reading = true;
        payload.arrayBuffer().then(
          (buffer) => {
            entry.reading = false;
            entry.queue[0] = { payload: buffer, bytes };
            if (this.#channels.get(handle) === entry) this.#pump(handle, entry);
          },
          () => {
            // An unreadable Blob (a file removed from disk) ends the channel rather than skip data.
            entry.reading = false;
            if (this.#channels.get(handle) === entry) this.#closeAndReport(handle);
          },
        );
        return;
      }
      entry.queue.shift();
      entry.queuedBytes -= bytes;
      entry.credit -= 1;
      try {
        entry.channel.send(payload);
      } catch {
        // The channel is closing: its close event reports it.
        return;
      }
      sent += 1;
    }
    // The browser fires bufferedamountlow only when the buffer drops below the threshold, not when
    // it never rose above it: then the core hears it from here, or it would wait for ever.
    const { bufferedAmount } = entry.channel;
    if (sent > 0 && bufferedAmount <= entry.threshold) {
      this.#sink.event({ type: 'channel-low', channel: handle, bufferedAmount });
    }
  }

  #closeAndReport(handle) {
    this.#closeChannel(handle);
    this.#sink.event({ type: 'channel-closed', channel: handle });
  }

  #addTrack(pc, trackHandle, streamHandle) {
    const entry = this.#connections.get(pc);
    const track = this.#media.get(trackHandle);
    if (!entry || !track) return;
    const stream = this.#media.get(streamHandle);
    try {
      entry.senders.set(trackHandle, entry.connection.addTrack(track, ...(stream ? [stream] : [])));
    } catch {
      // A closed connection, or the track already sent on it: nothing to add.
    }
  }

  #removeTrack(pc, trackHandle) {
    const entry = this.#connections.get(pc);
    const sender = entry?.senders.get(trackHandle);
    if (!sender) return;
    entry.senders.delete(trackHandle);
    try {
      entry.connection.removeTrack(sender);
    } catch {
      // A closed connection sends nothing anyway.
    }
  }

  // Resolves once the sender sends the new track (or fails to: the old one then keeps going).
  #replaceTrack(pc, oldHandle, newHandle) {
    const entry = this.#connections.get(pc);
    const sender = entry?.senders.get(oldHandle);
    if (!sender) return undefined;
    entry.senders.delete(oldHandle);
    // No track (handle 0) keeps the sender (muted) under the old handle, so a later replace finds it.
    entry.senders.set(newHandle || oldHandle, sender);
    return sender.replaceTrack(this.#media.get(newHandle) ?? null);
  }
}

// The largest message the connection's channels take, for the core (0: unlimited). Chromium's
// pc.sctp can say Infinity when a channel opens (seen under load, with the transport's state still
// 'connecting' or 'closed' on this thread): the remote description's max-message-size (RFC 8841)
// is the answer then.
function maxMessageSizeOf(connection) {
  const size = connection?.sctp?.maxMessageSize;
  if (Number.isSafeInteger(size) && size > 0) return size;
  const advertised = /^a=max-message-size:(\d+)\r?$/m.exec(connection?.remoteDescription?.sdp ?? '')?.[1];
  if (advertised === undefined) return DEFAULT_MAX_MESSAGE_SIZE;
  return Math.min(Number(advertised), Number.MAX_SAFE_INTEGER);
}

function listen(target, listeners) {
  for (const [name, listener] of Object.entries(listeners)) target.addEventListener(name, listener);
}

function plainDescription(description) {
  return description ? { type: description.type, sdp: description.sdp } : null;
}

// The JSON form of a candidate (null: end of candidates).
function candidateInit(candidate) {
  if (!candidate || !candidate.candidate) return null;
  const { sdpMid, sdpMLineIndex, usernameFragment } = candidate;
  return {
    candidate: candidate.candidate,
    sdpMid: sdpMid ?? null,
    sdpMLineIndex: sdpMLineIndex ?? null,
    usernameFragment: usernameFragment ?? null,
  };
}

// Browsers give an ArrayBuffer (binaryType); other stacks may give a view (a Node Buffer).
function messageData(data) {
  if (typeof data === 'string' || data instanceof ArrayBuffer) return data;
  if (ArrayBuffer.isView(data)) {
    return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
  }
  return data;
}

function describe(error) {
  return error instanceof Error ? error.message : String(error);
}
