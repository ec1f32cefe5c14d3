// The app's local media tracks (JS handles) and how a new set differs from the old one, as the
// sender changes every connection makes: a track of a kind that left and one of the same kind
// that came replace each other on the sender (no renegotiation: switching cameras), the rest
// are added or removed.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "rtcwire/base/error.hpp"

namespace rtcwire::peer {

struct LocalTrack {
  uint32_t track;    // a JS handle; JS keys each RTCRtpSender by the track it sends
  std::string kind;  // 'audio' | 'video'
  uint32_t stream;
  bool operator==(const LocalTrack&) const = default;
};

namespace track_change {
struct Add {
  uint32_t track;
  uint32_t stream;
};
struct Remove {
  uint32_t track;
};
// The sender of `old` sends `replacement` from now on and is keyed by it.
struct Replace {
  uint32_t old;
  uint32_t replacement;
};
}  // namespace track_change

using TrackChange = std::variant<track_change::Add, track_change::Remove, track_change::Replace>;

class LocalTracks {
 public:
  const std::vector<LocalTrack>& tracks() const { return tracks_; }
  // The full new set; errors (local invalid_argument): a repeated track, a bad kind.
  base::Result<std::vector<TrackChange>> set(std::vector<LocalTrack> tracks);
  // replaceTrack(old, new): errors local invalid_argument when `old` is not a local track.
  base::Result<std::vector<TrackChange>> replace(uint32_t old, uint32_t replacement);
  // Replaced by nothing: its senders, and those of connections made later, send nothing.
  bool muted(uint32_t track) const { return muted_.count(track) > 0; }

 private:
  std::vector<LocalTrack> tracks_;
  std::set<uint32_t> muted_;
};

}  // namespace rtcwire::peer
