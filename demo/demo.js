// rtcwire meet: a video call per room name. Everyone in the room connects to everyone else
// directly (the SDK's peers); chat goes through the server to the whole room; files go peer to
// peer. The room comes from the link (#name or ?room=name), so two tabs on one link meet.
import { connect, RtcwireError } from '/dist/rtcwire.js';
import { CallTiles } from './call_tiles.js';
import { FileSharing } from './file_sharing.js';

const MAX_TEXT_LENGTH = 2000;

const view = {
  state: document.getElementById('state'),
  peerId: document.getElementById('peer-id'),
  transport: document.getElementById('transport'),
  joinForm: document.getElementById('join-form'),
  roomName: document.getElementById('room-name'),
  joinButton: document.getElementById('join-button'),
  reconnectButton: document.getElementById('reconnect-button'),
  problem: document.getElementById('problem'),
  messages: document.getElementById('messages'),
  sendForm: document.getElementById('send-form'),
  messageText: document.getElementById('message-text'),
  sendButton: document.getElementById('send-button'),
  roomTitle: document.getElementById('room-title'),
  peers: document.getElementById('peers'),
  copyLinkButton: document.getElementById('copy-link-button'),
  muteButton: document.getElementById('mute-button'),
  cameraButton: document.getElementById('camera-button'),
  fileLabel: document.getElementById('file-label'),
  fileInput: document.getElementById('file-input'),
  mediaNote: document.getElementById('media-note'),
};

let client = null;
// The camera and microphone, once granted (null without them: chat and files still work).
let localStream = null;
const media = { mic: true, camera: true };
const tiles = new CallTiles(document.getElementById('tiles'));
const files = new FileSharing(document.getElementById('transfers'), showProblem);

view.roomName.value = roomFromUrl() ?? `room-${Math.random().toString(36).slice(2, 7)}`;

function roomFromUrl() {
  const room = decodeURIComponent(location.hash.slice(1)).trim() ||
    (new URLSearchParams(location.search).get('room') ?? '').trim();
  return room === '' ? null : room;
}

function showProblem(error) {
  view.problem.hidden = error === null;
  view.problem.textContent =
    error instanceof RtcwireError ? `${error.message} (${error.code})` : String(error ?? '');
}

function showState(state) {
  view.state.textContent = state;
  view.state.dataset.state = state;
  const connected = state === 'connected';
  view.peerId.textContent = client?.peerId ?? 'not connected';
  showTransport();
  view.joinButton.disabled = !connected;
  view.reconnectButton.hidden = state !== 'disconnected';
  showRoom();
}

// websocket, sse or polling; it changes when a fallback session is upgraded to websocket.
function showTransport() {
  view.transport.textContent = client?.transport ?? 'no transport';
}

function showRoom() {
  const inRoom = client?.room != null;
  view.roomTitle.textContent = inRoom ? client.room : 'no room';
  view.messageText.disabled = !inRoom;
  view.sendButton.disabled = !inRoom;
  view.copyLinkButton.hidden = !inRoom;
  view.fileInput.disabled = !inRoom;
  view.fileLabel.setAttribute('aria-disabled', String(!inRoom));
  const entries = inRoom ? [`${client.peerId} (you)`, ...client.peers] : [];
  view.peers.replaceChildren(
    ...entries.map((name, index) => {
      const item = document.createElement('li');
      item.textContent = name;
      if (index === 0) item.className = 'you';
      return item;
    }),
  );
}

function addLine({ from, text, mine = false, notice = false }) {
  const item = document.createElement('li');
  if (mine) item.className = 'mine';
  const time = document.createElement('time');
  const now = new Date();
  time.className = 'meta';
  time.dateTime = now.toISOString();
  time.textContent = now.toLocaleTimeString();
  item.append(time);
  if (notice) {
    const body = document.createElement('span');
    body.className = 'notice';
    body.textContent = text;
    item.append(body);
  } else {
    const sender = document.createElement('span');
    sender.className = 'from';
    sender.textContent = mine ? 'you' : from;
    item.append(sender, text);
  }
  const atBottom =
    view.messages.scrollTop + view.messages.clientHeight >= view.messages.scrollHeight - 4;
  view.messages.append(item);
  if (atBottom) view.messages.scrollTop = view.messages.scrollHeight;
}

// Peers are other people's code: only well-formed chat lines are shown.
function chatText(data) {
  if (typeof data?.text !== 'string') return null;
  return data.text.slice(0, MAX_TEXT_LENGTH);
}

// A peer's microphone and camera switches, as it announced them (only booleans are taken).
function mediaState(data) {
  const { mic, camera } = data?.media ?? {};
  return typeof mic === 'boolean' && typeof camera === 'boolean' ? { mic, camera } : null;
}

// Camera and microphone are asked for once, beside joining (a call without them still works).
async function startMedia() {
  try {
    localStream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
  } catch (error) {
    view.mediaNote.hidden = false;
    view.mediaNote.textContent = `No camera or microphone (${error.name}): you can still chat and share files`;
    tiles.showLocal(client?.peerId ?? 'you', null);
    return;
  }
  view.muteButton.disabled = false;
  view.cameraButton.disabled = false;
  tiles.showLocal(client?.peerId ?? 'you', localStream);
  try {
    await client.setLocalStream(localStream);
  } catch (error) {
    showProblem(error);
  }
}

// Muting keeps the tracks and the connections: a disabled track sends silence or black frames.
// The room is told, so the tiles on the other side can show it.
function switchMedia(kind) {
  media[kind] = !media[kind];
  const tracks = kind === 'mic' ? localStream.getAudioTracks() : localStream.getVideoTracks();
  for (const track of tracks) track.enabled = media[kind];
  view.muteButton.setAttribute('aria-pressed', String(!media.mic));
  view.muteButton.textContent = media.mic ? 'Mute' : 'Unmute';
  view.cameraButton.setAttribute('aria-pressed', String(!media.camera));
  view.cameraButton.textContent = media.camera ? 'Stop video' : 'Start video';
  tiles.setLocalMedia(media);
  if (client?.room != null) client.publish({ media });
}

function watch(connected) {
  connected.on('state', (state, error, details) => {
    showState(state);
    if (state === 'reconnecting') {
      view.state.textContent =
        details.retryIn === null
          ? 'offline: waiting for the network'
          : `reconnecting (attempt ${details.attempt})`;
    }
    if (error) showProblem(error);
    if (state === 'connected') showProblem(null);
  });
  // A new session after a lost connection: the room is gone on the server, so join it again.
  connected.on('resync', () => {
    addLine({ text: 'Reconnected with a new session', notice: true });
    const room = roomFromUrl();
    if (room) join(room);
  });
  connected.on('transport', (transport) => {
    addLine({ text: `Now connected over ${transport}`, notice: true });
    showTransport();
  });
  connected.on('joined', ({ room }) => {
    addLine({ text: `You joined ${room}`, notice: true });
    showRoom();
  });
  connected.on('peer-joined', (peer) => {
    addLine({ text: `${peer} joined`, notice: true });
    showRoom();
    // Whoever comes in learns whether you muted.
    if (localStream) connected.send(peer, { media });
  });
  connected.on('peer-left', (peer) => {
    addLine({ text: `${peer} left`, notice: true });
    tiles.removePeer(peer);
    showRoom();
  });
  connected.on('left', () => tiles.clearRemote());
  connected.on('message', ({ from, data }) => {
    const text = chatText(data);
    if (text !== null) addLine({ from, text });
    const state = mediaState(data);
    if (state !== null) tiles.setRemoteMedia(from, state);
  });
  connected.on('peer', (peer) => {
    tiles.addPeer(peer);
    peer.on('transfer', (transfer) => files.receive(peer, transfer));
  });
  connected.on('error', showProblem);
}

async function start() {
  showState('connecting');
  try {
    client = await connect();
    watch(client);
    showProblem(null);
    showState(client.state);
    startMedia();
    if (roomFromUrl()) await join(roomFromUrl());
  } catch (error) {
    showProblem(error);
    view.state.textContent = 'disconnected';
    view.state.dataset.state = 'disconnected';
    view.reconnectButton.hidden = false;
  }
}

async function join(room) {
  showProblem(null);
  try {
    await client.join(room);
    history.replaceState(null, '', `#${encodeURIComponent(room)}`);
  } catch (error) {
    showProblem(error);
  }
}

view.joinForm.addEventListener('submit', (event) => {
  event.preventDefault();
  join(view.roomName.value.trim());
});

view.reconnectButton.addEventListener('click', async () => {
  if (client === null) return start();
  showProblem(null);
  try {
    await client.reconnect();
    await join(view.roomName.value.trim());
  } catch (error) {
    showProblem(error);
  }
});

view.copyLinkButton.addEventListener('click', () => {
  navigator.clipboard?.writeText(location.href).then(
    () => addLine({ text: 'Invite link copied: send it to whoever should join', notice: true }),
    () => addLine({ text: `Invite link: ${location.href}`, notice: true }),
  );
});

view.muteButton.addEventListener('click', () => switchMedia('mic'));
view.cameraButton.addEventListener('click', () => switchMedia('camera'));

view.fileInput.addEventListener('change', () => {
  const [file] = view.fileInput.files;
  view.fileInput.value = '';
  if (file) files.send(file, client.remotePeers.filter((peer) => peer.state === 'connected'));
});

view.sendForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = view.messageText.value.trim();
  if (text === '') return;
  try {
    client.publish({ text });
    addLine({ text, mine: true });
    view.messageText.value = '';
    showProblem(null);
  } catch (error) {
    showProblem(error);
  }
});

start();
