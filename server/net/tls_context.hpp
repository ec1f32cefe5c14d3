// The server's TLS certificate and key, loaded into an OpenSSL context for new connections:
// TLS 1.2 and later only. reload() reads the files again (on SIGHUP); connections already
// established keep the context they started with, so no session drops.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <boost/asio/ssl/context.hpp>

namespace rtcwire::server {

class TlsCertificates {
 public:
  TlsCertificates(std::string cert_path, std::string key_path);

  // Loads the files; on failure the context in use (if any) stays and the message says why.
  std::optional<std::string> reload();
  // The context for a new connection; null before the first successful load.
  std::shared_ptr<boost::asio::ssl::context> current() const { return current_; }

 private:
  std::string cert_path_;
  std::string key_path_;
  std::shared_ptr<boost::asio::ssl::context> current_;
};

}  // namespace rtcwire::server
