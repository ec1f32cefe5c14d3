// An app's use of the public API, checked by `npx tsc -p tests/types` (never run).
import { connect, RtcwireError } from 'rtcwire';
import type {
  ChannelState,
  ConnectionState,
  IncomingTransfer,
  OutgoingTransfer,
  PeerState,
  PeerStats,
  RemoteTrack,
  RtcwireChannel,
  RtcwirePeer,
  TransferProgress,
  ErrorCode,
  IceServersProviderAnswer,
  JoinedRoom,
  JsonValue,
  Message,
  Resync,
  RtcwireClient,
  TransportName,
  UndeliveredRequest,
} from 'rtcwire';

interface ChatLine {
  text: string;
  sentAt: number;
}

function describe(error: unknown): string {
  if (error instanceof RtcwireError) {
    const code: ErrorCode = error.code;
    return `${error.origin}/${code}: ${error.message}`;
  }
  return String(error);
}

export async function chat(roomName: string): Promise<RtcwireClient> {
  const client = await connect('/', {
    handshakeTimeout: 5000,
    transports: ['sse', 'polling'],
    reconnect: { initialDelay: 250, factor: 2, maxDelay: 5000, maxAttempts: 20 },
    resumeBufferBytes: 256 * 1024,
    token: async () => (await fetch('/token')).text(),
    platform: { fetch: (url, init) => fetch(url, { ...init, credentials: 'include' }) },
  });
  client.useToken('header.payload.signature');
  const user: string | null = client.userOf('peer');
  console.log(user);
  client.on('peer-joined', (peer: string) => console.log(peer, client.userOf(peer)));
  const unacked: number = client.bufferedAmount;
  console.log(unacked);
  const state: ConnectionState = client.state;
  const transport: TransportName | null = client.transport;
  console.log(transport);
  client.on('transport', (now: TransportName) => console.log('now over', now));
  const id: string | null = client.peerId;
  console.log(state, id, client.maxMessageBytes);

  const stopWatching = client.on('state', (next, error, details) => {
    if (next === 'disconnected') console.warn('lost the server:', error?.code);
    if (next === 'reconnecting') console.warn('retry', details.attempt, 'in', details.retryIn);
    if (next === 'connected' && !details.resumed) console.log('new session');
  });
  client.on('resync', ({ reason, undelivered }: Resync) => {
    const code: ErrorCode = reason.code;
    console.warn('session lost:', code);
    for (const request of undelivered) {
      const lost: UndeliveredRequest = request;
      if (lost.type === 'publish') console.log('not delivered:', lost.data);
      if (lost.type === 'direct' || lost.type === 'signal') console.log('to', lost.to);
    }
    void client.join('lobby');
  });
  client.on('peer-joined', (peer: string) => console.log('joined:', peer, client.peers.length));
  client.on('peer-left', (peer) => console.log('left:', peer));
  client.on('message', ({ from, kind, data }: Message) => {
    const value: JsonValue = data;
    console.log(kind === 'room' ? 'room' : 'direct', from, value);
  });
  client.once('error', (error) => console.error(describe(error), error.code));
  client.on('signal', ({ from, data }) => console.log('signal', from, data));

  try {
    const joined: JoinedRoom = await client.join(roomName);
    const first: string | undefined = joined.peers[0];
    const line: ChatLine = { text: 'hello', sentAt: Date.now() };
    client.publish(line);
    if (first) client.send(first, [1, 'two', { three: null }]);
    await client.leave();
  } catch (error) {
    console.error(describe(error));
  }
  stopWatching();
  return client;
}

export async function misuse(client: RtcwireClient): Promise<void> {
  // @ts-expect-error: room names are strings
  await client.join(42);
  // @ts-expect-error: there is no such event
  client.on('messages', () => {});
  // @ts-expect-error: message listeners receive a Message, not a string
  client.on('message', (text: string) => console.log(text));
  // @ts-expect-error: undefined is not JSON
  client.publish(undefined);
  // @ts-expect-error: the state is read-only
  client.state = 'connected';
  // @ts-expect-error: the transport is read-only
  client.transport = 'sse';
  // @ts-expect-error: there is no such transport
  await connect('/', { transports: ['carrier-pigeon'] });
  // @ts-expect-error: transports is a list
  await connect('/', { transports: 'websocket' });
  // @ts-expect-error: the buffer cap is a number of bytes
  await connect('/', { resumeBufferBytes: '1 MiB' });
  // @ts-expect-error: bufferedAmount is read-only
  client.bufferedAmount = 0;
  // @ts-expect-error: a resync listener receives the Resync
  client.on('resync', (reason: string) => console.log(reason));
  client.close();
}

// The peer layer: a video call, chat over the default channel, an app channel, files, stats.
export async function call(video: HTMLVideoElement, camera: MediaStream): Promise<void> {
  const client = await connect('/', {
    peers: { autoConnect: true, iceServers: [{ urls: 'stun:stun.example.org' }], iceTransportPolicy: 'all', restartGraceMs: 3000 },
  });
  await client.setLocalStream(camera);
  client.on('peer', (peer: RtcwirePeer) => {
    const polite: boolean = peer.polite;
    console.log(peer.id, peer.user, polite);
    peer.on('state', (state: PeerState) => console.log(state));
    peer.on('track', ({ track, streams }: RemoteTrack) => {
      console.log(track.kind);
      video.srcObject = streams[0] ?? null;
    });
    peer.on('message', (data) => console.log(typeof data === 'string' ? data : data.byteLength));
    peer.on('channel', (channel: RtcwireChannel) => channel.on('message', (data) => console.log(channel.label, data)));
    peer.on('transfer', async (incoming: IncomingTransfer) => {
      incoming.on('progress', ({ bytes, total, rate }: TransferProgress) => console.log(bytes, total, rate));
      const { blob, sha256 } = await incoming.accept();
      console.log(incoming.name, blob.size, sha256);
    });
    peer.on('error', (error) => console.warn(error.code));
    peer.send('hello');
    peer.send(new Uint8Array([1, 2, 3]));
    const chat = peer.channel('chat', { ordered: false, maxRetransmits: 0 });
    chat.on('open', () => chat.send(new Blob(['hi'])));
    const state: ChannelState = chat.state;
    console.log(state, chat.bufferedAmount);
    const controller = new AbortController();
    const outgoing: OutgoingTransfer = peer.sendFile(new Blob(['file']), { name: 'a.txt', signal: controller.signal });
    outgoing.on('progress', ({ bytes }) => console.log(bytes));
    void outgoing.done.then(({ sha256 }) => console.log(sha256));
  });
  const first: RtcwirePeer | undefined = client.remotePeers[0];
  if (first) {
    const stats: PeerStats = await first.getStats();
    console.log(stats.rttMs, stats.candidatePair?.local, stats.media.video.framesDecoded);
    first.restartIce();
    first.close();
  }
  const [track] = camera.getVideoTracks();
  if (track) await client.replaceTrack(track, null);
  console.log(client.peer('someone')?.state);
  await client.setLocalStream(null);
}

export function peerMisuse(peer: RtcwirePeer): void {
  // @ts-expect-error: numbers are not data
  peer.send(42);
  // @ts-expect-error: labels are strings
  peer.channel(7);
  // @ts-expect-error: there is no such peer event
  peer.on('open', () => {});
  // @ts-expect-error: the state is read-only
  peer.state = 'connected';
}

// ICE servers at run time: a provider (URL or function), setIceServers, the diagnostics' codes.
export async function turn(): Promise<void> {
  const fromUrl = await connect('/', { peers: { iceServersProvider: '/turn-credentials' } });
  fromUrl.close();
  const provide = async (): Promise<IceServersProviderAnswer> => ({
    iceServers: { urls: ['turn:turn.example.org:3478'], username: '1700000000:me', credential: 'c' },
    ttl: 3600,
  });
  const client = await connect('/', { peers: { iceServersProvider: provide, iceTransportPolicy: 'relay' } });
  client.setIceServers([{ urls: 'stun:stun.example.org' }]);
  client.setIceServers([], { iceTransportPolicy: 'all' });
  client.on('error', (error: RtcwireError) => {
    const diagnosed: ErrorCode[] = ['turn_failed', 'ice_failed', 'ice_servers_unavailable', 'invalid_ice_servers'];
    if (diagnosed.includes(error.code)) console.log(error.message);
  });
  // @ts-expect-error: a list, not one server
  client.setIceServers({ urls: 'stun:s' });
  // @ts-expect-error: no such policy
  client.setIceServers([], { iceTransportPolicy: 'none' });
  // @ts-expect-error: a provider is a URL or a function
  await connect('/', { peers: { iceServersProvider: 42 } });
}
