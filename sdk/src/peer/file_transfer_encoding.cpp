#include "rtcwire/peer/file_transfer_encoding.hpp"

#include "rtcwire/base/json_writer.hpp"
#include "rtcwire/base/overloaded.hpp"

namespace rtcwire::peer {
namespace {

using namespace base::json_writer;

void open_event(std::string& out, std::string_view type, std::string_view peer,
                std::uint32_t transfer) {
  open_object(out, type);
  put_key(out, "peer");
  put_string(out, peer);
  put_key(out, "transfer");
  put_number(out, transfer);
}

}  // namespace

void put_file_action_fields(std::string& out, const FileAction& action,
                            std::uint32_t files_channel) {
  std::visit(base::Overloaded{
                 [&](const file_action::Read& a) {
                   open_object(out, "file-read");
                   put_key(out, "channel");
                   put_number(out, files_channel);
                   put_key(out, "transfer");
                   put_number(out, a.transfer);
                   put_key(out, "offset");
                   put_number(out, a.offset);
                   put_key(out, "length");
                   put_number(out, a.length);
                 },
                 [&](const file_action::SendControl& a) {
                   open_object(out, "file-control");
                   put_key(out, "channel");
                   put_number(out, files_channel);
                   put_key(out, "text");
                   put_string(out, a.text);
                 },
             },
             action);
}

void put_file_event_fields(std::string& out, const FileEvent& event, std::string_view peer) {
  std::visit(base::Overloaded{
                 [&](const file_event::Offered& e) {
                   open_event(out, "transfer", peer, e.transfer);
                   put_key(out, "name");
                   put_string(out, e.name);
                   put_key(out, "size");
                   put_number(out, e.size);
                   put_key(out, "mime");
                   put_string(out, e.type);
                 },
                 [&](const file_event::Progress& e) {
                   open_event(out, "transfer-progress", peer, e.transfer);
                   put_key(out, "bytes");
                   put_number(out, e.bytes);
                   put_key(out, "total");
                   put_number(out, e.total);
                   put_key(out, "rate");
                   put_number(out, e.rate);
                 },
                 [&](const file_event::Done& e) {
                   open_event(out, "transfer-done", peer, e.transfer);
                   put_key(out, "bytes");
                   put_number(out, e.bytes);
                   put_key(out, "sha256");
                   put_string(out, e.sha256);
                 },
                 [&](const file_event::Failed& e) {
                   open_event(out, "transfer-failed", peer, e.transfer);
                   put_key(out, "error");
                   put_error(out, e.error);
                 },
             },
             event);
}

std::string encode_file_action(const FileAction& action, std::uint32_t files_channel) {
  std::string out;
  put_file_action_fields(out, action, files_channel);
  out += '}';
  return out;
}

std::string encode_file_event(const FileEvent& event, std::string_view peer) {
  std::string out;
  put_file_event_fields(out, event, peer);
  out += '}';
  return out;
}

std::string encode_chunk_answer(const ChunkAnswer& answer) {
  std::string out = "{\"verdict\":";
  put_string(out, to_string(answer.verdict));
  put_key(out, "transfer");
  put_number(out, answer.transfer);
  out += '}';
  return out;
}

}  // namespace rtcwire::peer
