#include "rtcwire/peer/local_tracks.hpp"

#include <algorithm>

namespace rtcwire::peer {
namespace {

bool holds(const std::vector<LocalTrack>& tracks, uint32_t track) {
  return std::any_of(tracks.begin(), tracks.end(),
                     [&](const LocalTrack& t) { return t.track == track; });
}

}  // namespace

base::Result<std::vector<TrackChange>> LocalTracks::set(std::vector<LocalTrack> tracks) {
  for (std::size_t i = 0; i < tracks.size(); ++i) {
    if (tracks[i].kind != "audio" && tracks[i].kind != "video") {
      return base::local_error(base::ErrorCode::invalid_argument,
                               "a track's kind is 'audio' or 'video'");
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (tracks[j].track == tracks[i].track) {
        return base::local_error(base::ErrorCode::invalid_argument, "a track is listed twice");
      }
    }
  }
  std::vector<LocalTrack> gone;
  for (const LocalTrack& old : tracks_) {
    if (!holds(tracks, old.track)) gone.push_back(old);
  }
  std::vector<TrackChange> changes;
  for (const LocalTrack& track : tracks) {
    if (holds(tracks_, track.track)) continue;
    const auto same_kind = std::find_if(gone.begin(), gone.end(), [&](const LocalTrack& old) {
      return old.kind == track.kind && old.stream == track.stream;
    });
    if (same_kind != gone.end()) {
      changes.push_back(track_change::Replace{same_kind->track, track.track});
      gone.erase(same_kind);
    } else {
      changes.push_back(track_change::Add{track.track, track.stream});
    }
  }
  for (const LocalTrack& old : gone) changes.push_back(track_change::Remove{old.track});
  tracks_ = std::move(tracks);
  // A track kept from the old set stays muted; one replaced or removed takes its mute along.
  std::erase_if(muted_, [&](uint32_t track) { return !holds(tracks_, track); });
  return changes;
}

base::Result<std::vector<TrackChange>> LocalTracks::replace(uint32_t old, uint32_t replacement) {
  const auto found = std::find_if(tracks_.begin(), tracks_.end(),
                                  [&](const LocalTrack& t) { return t.track == old; });
  if (found == tracks_.end()) {
    return base::local_error(base::ErrorCode::invalid_argument,
                             "replaceTrack: the old track is not sent");
  }
  if (replacement != 0 && replacement != old && holds(tracks_, replacement)) {
    return base::local_error(base::ErrorCode::invalid_argument,
                             "replaceTrack: the new track is sent already");
  }
  if (replacement == 0) {
    // Muted: the sender stays keyed by `old` and sends nothing.
    muted_.insert(old);
    return std::vector<TrackChange>{track_change::Replace{old, 0}};
  }
  muted_.erase(old);
  found->track = replacement;
  return std::vector<TrackChange>{track_change::Replace{old, replacement}};
}

}  // namespace rtcwire::peer
