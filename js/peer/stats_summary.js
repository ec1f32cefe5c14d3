// Summarises an RTCStatsReport into the few figures an app shows (contract section 7). Bitrates
// need two reports: `previous` is the sample the last summary of the same connection returned.
const MS_PER_S = 1000;

/** @returns {{summary: object, sample: {timestamp: number, bytesSent: number, bytesReceived: number}}} */
export function summariseStats(report, previous) {
  const stats = [...report.values()];
  const byId = new Map(stats.map((stat) => [stat.id, stat]));
  const pair = selectedPair(stats, byId);
  const local = pair && byId.get(pair.localCandidateId);
  const remote = pair && byId.get(pair.remoteCandidateId);
  const bytesSent = pair?.bytesSent ?? 0;
  const bytesReceived = pair?.bytesReceived ?? 0;
  const timestamp = pair?.timestamp ?? stats[0]?.timestamp ?? 0;
  const seconds = previous ? (timestamp - previous.timestamp) / MS_PER_S : 0;
  const rate = (bytes, before) => (seconds > 0 ? Math.max(0, ((bytes - before) * 8) / seconds) : null);
  const summary = {
    rttMs: typeof pair?.currentRoundTripTime === 'number' ? pair.currentRoundTripTime * MS_PER_S : null,
    bytesSent,
    bytesReceived,
    sendBitrate: previous ? rate(bytesSent, previous.bytesSent) : null,
    receiveBitrate: previous ? rate(bytesReceived, previous.bytesReceived) : null,
    candidatePair: pair
      ? {
          local: local?.candidateType ?? null,
          remote: remote?.candidateType ?? null,
          protocol: local?.protocol ?? null,
          relayProtocol: local?.relayProtocol ?? null,
        }
      : null,
    dataChannels: dataChannels(stats),
    media: { audio: media(stats, 'audio'), video: media(stats, 'video') },
  };
  return { summary, sample: { timestamp, bytesSent, bytesReceived } };
}

// The pair the transport uses; browsers that do not name it mark it `selected` or `nominated`.
function selectedPair(stats, byId) {
  for (const stat of stats) {
    if (stat.type === 'transport' && stat.selectedCandidatePairId) {
      const pair = byId.get(stat.selectedCandidatePairId);
      if (pair) return pair;
    }
  }
  const pairs = stats.filter((stat) => stat.type === 'candidate-pair');
  return (
    pairs.find((pair) => pair.selected) ??
    pairs.find((pair) => pair.nominated && pair.state === 'succeeded') ??
    null
  );
}

function dataChannels(stats) {
  const totals = { open: 0, messagesSent: 0, messagesReceived: 0, bytesSent: 0, bytesReceived: 0 };
  for (const stat of stats) {
    if (stat.type !== 'data-channel') continue;
    if (stat.state === 'open') totals.open += 1;
    totals.messagesSent += stat.messagesSent ?? 0;
    totals.messagesReceived += stat.messagesReceived ?? 0;
    totals.bytesSent += stat.bytesSent ?? 0;
    totals.bytesReceived += stat.bytesReceived ?? 0;
  }
  return totals;
}

// Sums of the RTP streams of one kind, both directions.
function media(stats, kind) {
  const totals = {
    bytesSent: 0,
    bytesReceived: 0,
    packetsLost: 0,
    framesEncoded: 0,
    framesDecoded: 0,
    framesPerSecond: null,
  };
  for (const stat of stats) {
    if ((stat.kind ?? stat.mediaType) !== kind) continue;
    if (stat.type === 'outbound-rtp') {
      totals.bytesSent += stat.bytesSent ?? 0;
      totals.framesEncoded += stat.framesEncoded ?? 0;
    } else if (stat.type === 'inbound-rtp') {
      totals.bytesReceived += stat.bytesReceived ?? 0;
      totals.packetsLost += stat.packetsLost ?? 0;
      totals.framesDecoded += stat.framesDecoded ?? 0;
      if (typeof stat.framesPerSecond === 'number') totals.framesPerSecond = stat.framesPerSecond;
    }
  }
  return totals;
}
