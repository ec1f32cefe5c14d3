// The rtcwire chat demo: one room per name, everyone in it sees every message.
import { connect, RtcwireError } from '/js/index.js';

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
};

let client = null;

view.roomName.value = roomFromHash() ?? `room-${Math.random().toString(36).slice(2, 7)}`;

function roomFromHash() {
  const room = decodeURIComponent(location.hash.slice(1)).trim();
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
    const room = roomFromHash();
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
  });
  connected.on('peer-left', (peer) => {
    addLine({ text: `${peer} left`, notice: true });
    showRoom();
  });
  connected.on('message', ({ from, data }) => {
    const text = chatText(data);
    if (text !== null) addLine({ from, text });
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
    if (roomFromHash()) await join(roomFromHash());
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
