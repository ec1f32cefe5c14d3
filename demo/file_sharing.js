// Files shared in the call: a file you pick goes to every connected peer; each transfer is a
// row with a progress bar, on the sending and on the receiving side. An incoming file waits for
// Accept or Decline; once received it is a download link. Names and types come from other
// people's code: they are only ever shown as text.
import { RtcwireError } from '/dist/rtcwire.js';

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

const describeError = (error) =>
  error instanceof RtcwireError ? `${error.message} (${error.code})` : String(error?.message ?? error);

class TransferRow {
  constructor({ direction, name, size, who }) {
    this.size = size;
    this.item = element('li', 'transfer');
    this.item.dataset.direction = direction;
    this.item.dataset.status = 'waiting';
    const title = element('div', 'file-name', name);
    const meta = element('div', 'file-meta', `${formatBytes(size)} · ${direction === 'out' ? 'to' : 'from'} ${who}`);
    this.bar = element('progress');
    this.bar.max = Math.max(size, 1);
    this.bar.value = 0;
    this.detail = element('span', 'file-detail', direction === 'out' ? 'waiting for the peer' : 'offered to you');
    this.actions = element('span', 'file-actions');
    this.item.append(title, meta, this.bar, this.detail, this.actions);
  }

  progress({ bytes, rate }) {
    this.item.dataset.status = 'moving';
    this.bar.value = bytes;
    const percent = Math.floor((100 * bytes) / Math.max(this.size, 1));
    this.detail.textContent = `${percent}%${rate ? ` · ${formatBytes(rate)}/s` : ''}`;
  }

  finish(text) {
    this.item.dataset.status = 'done';
    this.bar.value = this.bar.max;
    this.detail.textContent = text;
    this.actions.replaceChildren();
  }

  fail(error) {
    this.item.dataset.status = 'failed';
    this.detail.textContent = describeError(error);
    this.actions.replaceChildren();
  }
}

export class FileSharing {
  #list;
  #onProblem;

  constructor(list, onProblem) {
    this.#list = list;
    this.#onProblem = onProblem;
  }

  #add(row) {
    this.#list.prepend(row.item);
    return row;
  }

  send(file, peers) {
    if (peers.length === 0) {
      this.#onProblem(new Error('Nobody is connected yet: wait for someone to join the call'));
      return;
    }
    for (const peer of peers) {
      const row = this.#add(new TransferRow({ direction: 'out', name: file.name, size: file.size, who: peer.id }));
      const cancelling = new AbortController();
      let transfer;
      try {
        transfer = peer.sendFile(file, { name: file.name, type: file.type, signal: cancelling.signal });
      } catch (error) {
        row.fail(error);
        continue;
      }
      const cancel = element('button', 'link', 'Cancel');
      cancel.type = 'button';
      cancel.addEventListener('click', () => cancelling.abort());
      row.actions.append(cancel);
      transfer.on('progress', (progress) => row.progress(progress));
      transfer.done.then(() => row.finish('sent, verified'), (error) => row.fail(error));
    }
  }

  receive(peer, transfer) {
    const row = this.#add(new TransferRow({ direction: 'in', name: transfer.name, size: transfer.size, who: peer.id }));
    const accept = element('button', 'accept', 'Accept');
    const decline = element('button', 'link', 'Decline');
    accept.type = decline.type = 'button';
    row.actions.append(accept, decline);
    decline.addEventListener('click', () => {
      transfer.reject();
      row.finish('declined');
    });
    accept.addEventListener('click', () => {
      row.actions.replaceChildren();
      row.detail.textContent = 'starting';
      transfer.on('progress', (progress) => row.progress(progress));
      transfer.accept().then(({ blob }) => {
        row.finish('received, verified');
        const link = element('a', 'download', 'Save');
        link.href = URL.createObjectURL(blob);
        link.download = transfer.name;
        row.actions.append(link);
      }, (error) => row.fail(error));
    });
  }
}
