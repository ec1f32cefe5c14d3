// The video grid: a tile for you and one per remote peer, with the peer's connection state, the
// route its connection takes (candidate types from peer.getStats(), refreshed every few seconds)
// and whether it muted its microphone or stopped its camera.
const STATS_EVERY_MS = 2000;

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// The summary's candidates may be a type name or a candidate object.
const candidateType = (candidate) =>
  typeof candidate === 'string' ? candidate : candidate?.candidateType ?? candidate?.type ?? null;

function describeRoute(stats) {
  const pair = stats?.candidatePair;
  const local = candidateType(pair?.local);
  if (!local) return null;
  const remote = candidateType(pair.remote);
  const types = remote && remote !== local ? `${local} ↔ ${remote}` : local;
  const protocol = pair.relayProtocol ?? pair.protocol;
  const rtt = Number.isFinite(stats.rttMs) ? ` · ${Math.round(stats.rttMs)} ms` : '';
  return { type: local, text: `${types}${protocol ? ` · ${protocol}` : ''}${rtt}` };
}

class Tile {
  constructor(name, { you = false } = {}) {
    this.item = element('li', you ? 'tile you' : 'tile');
    this.video = element('video');
    this.video.autoplay = true;
    this.video.playsInline = true;
    this.video.muted = you; // your own voice is never played back
    this.avatar = element('div', 'avatar', name.slice(0, 2).toUpperCase());
    this.name = element('span', 'name', you ? 'You' : name);
    this.state = element('span', 'badge peer-state');
    this.route = element('span', 'badge route');
    this.mic = element('span', 'badge muted', 'muted');
    this.mic.hidden = true;
    this.unmute = element('button', 'unmute', 'Click to hear');
    this.unmute.type = 'button';
    this.unmute.hidden = true;
    this.unmute.addEventListener('click', () => {
      this.video.muted = false;
      this.unmute.hidden = true;
      this.video.play().catch(() => {});
    });
    const caption = element('div', 'caption');
    caption.append(this.name, this.mic, this.state, this.route);
    this.item.append(this.video, this.avatar, caption, this.unmute);
    this.route.hidden = true;
    this.state.hidden = you;
    this.showVideo(false);
  }

  showVideo(on) {
    this.item.dataset.video = on ? 'on' : 'off';
  }

  setStream(stream) {
    this.video.srcObject = stream;
    this.showVideo(stream !== null && stream.getVideoTracks().length > 0);
    if (stream === null) return;
    // Sound may not start before the person interacted with the page: play muted, offer a click.
    this.video.play().catch(() => {
      this.video.muted = true;
      this.unmute.hidden = false;
      this.video.play().catch(() => {});
    });
  }

  setState(state) {
    this.state.textContent = state;
    this.state.dataset.state = state;
    if (state !== 'connected') this.route.hidden = true;
  }

  setRoute(route) {
    this.route.hidden = route === null;
    this.route.textContent = route?.text ?? '';
    this.route.dataset.candidate = route?.type ?? '';
  }

  setMedia({ mic, camera }) {
    this.mic.hidden = mic !== false;
    if (camera === false) this.showVideo(false);
    else if (this.video.srcObject?.getVideoTracks().length) this.showVideo(true);
  }
}

export class CallTiles {
  #list;
  #local;
  #remote = new Map(); // peer id -> { tile, peer, stream }
  #statsTimer = null;

  constructor(list) {
    this.#list = list;
  }

  // Your own tile, first in the grid (its video is the local preview, or an avatar).
  showLocal(name, stream) {
    this.#local ??= new Tile(name, { you: true });
    this.#local.avatar.textContent = name.slice(0, 2).toUpperCase();
    this.#local.setStream(stream);
    this.#list.prepend(this.#local.item);
  }

  setLocalMedia(media) {
    this.#local?.setMedia(media);
  }

  addPeer(peer) {
    if (this.#remote.get(peer.id)?.peer === peer) return;
    this.removePeer(peer.id);
    const entry = { tile: new Tile(peer.id), peer, stream: new MediaStream() };
    entry.tile.item.dataset.peer = peer.id;
    entry.tile.setState(peer.state);
    this.#remote.set(peer.id, entry);
    this.#list.append(entry.tile.item);
    peer.on('state', () => {
      if (this.#remote.get(peer.id) !== entry) return;
      if (peer.state === 'closed') this.removePeer(peer.id);
      else entry.tile.setState(peer.state);
    });
    peer.on('track', ({ track }) => {
      for (const old of entry.stream.getTracks()) {
        if (old.kind === track.kind) entry.stream.removeTrack(old);
      }
      entry.stream.addTrack(track);
      entry.tile.setStream(entry.stream);
    });
    this.#statsTimer ??= setInterval(() => this.#refreshRoutes(), STATS_EVERY_MS);
  }

  setRemoteMedia(id, media) {
    this.#remote.get(id)?.tile.setMedia(media);
  }

  removePeer(id) {
    const entry = this.#remote.get(id);
    if (!entry) return;
    entry.tile.item.remove();
    this.#remote.delete(id);
    if (this.#remote.size === 0) {
      clearInterval(this.#statsTimer);
      this.#statsTimer = null;
    }
  }

  clearRemote() {
    for (const id of [...this.#remote.keys()]) this.removePeer(id);
  }

  #refreshRoutes() {
    for (const entry of this.#remote.values()) {
      if (entry.peer.state !== 'connected') continue;
      entry.peer.getStats().then(
        (stats) => {
          if (this.#remote.get(entry.peer.id) === entry) entry.tile.setRoute(describeRoute(stats));
        },
        () => {}, // closed meanwhile: its state event removes the tile
      );
    }
  }
}
