#include "tls_context.hpp"

#include <openssl/ssl.h>

namespace rtcwire::server {

namespace ssl = boost::asio::ssl;

TlsCertificates::TlsCertificates(std::string cert_path, std::string key_path)
    : cert_path_(std::move(cert_path)), key_path_(std::move(key_path)) {}

std::optional<std::string> TlsCertificates::reload() {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  boost::system::error_code error;
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                           ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                           ssl::context::no_tlsv1_1 | ssl::context::no_compression |
                           ssl::context::single_dh_use,
                       error);
  if (!error && SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION) != 1) {
    return "cannot require TLS 1.2";
  }
  if (!error) context->use_certificate_chain_file(cert_path_, error);
  if (error) return "cannot load the certificate chain " + cert_path_ + ": " + error.message();
  context->use_private_key_file(key_path_, ssl::context::pem, error);
  if (error) return "cannot load the private key " + key_path_ + ": " + error.message();
  if (SSL_CTX_check_private_key(context->native_handle()) != 1) {
    return "the private key " + key_path_ + " does not match the certificate " + cert_path_;
  }
  current_ = std::move(context);
  return std::nullopt;
}

}  // namespace rtcwire::server
