#include "mime_types.hpp"

#include <gtest/gtest.h>

namespace rtcwire::server {
namespace {

TEST(MimeTypes, WebAssemblyAndModules) {
  EXPECT_EQ(mime_type_for("rtcwire_core.wasm"), "application/wasm");
  EXPECT_EQ(mime_type_for("rtcwire_core.mjs"), "text/javascript; charset=utf-8");
  EXPECT_EQ(mime_type_for("index.js"), "text/javascript; charset=utf-8");
}

TEST(MimeTypes, DeclarationsAreTextNotVideo) {
  EXPECT_EQ(mime_type_for("index.d.ts"), "text/plain; charset=utf-8");
}

TEST(MimeTypes, CommonWebTypes) {
  EXPECT_EQ(mime_type_for("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(mime_type_for("style.css"), "text/css; charset=utf-8");
  EXPECT_EQ(mime_type_for("package.json"), "application/json");
  EXPECT_EQ(mime_type_for("logo.svg"), "image/svg+xml");
  EXPECT_EQ(mime_type_for("logo.png"), "image/png");
  EXPECT_EQ(mime_type_for("favicon.ico"), "image/x-icon");
  EXPECT_EQ(mime_type_for("rtcwire_core.wasm.map"), "application/json");
  EXPECT_EQ(mime_type_for("README.txt"), "text/plain; charset=utf-8");
}

TEST(MimeTypes, CaseInsensitive) {
  EXPECT_EQ(mime_type_for("INDEX.HTML"), "text/html; charset=utf-8");
}

TEST(MimeTypes, UnknownIsOctetStream) {
  EXPECT_EQ(mime_type_for("archive.tar.zst"), "application/octet-stream");
  EXPECT_EQ(mime_type_for("Makefile"), "application/octet-stream");
  EXPECT_EQ(mime_type_for(""), "application/octet-stream");
  EXPECT_EQ(mime_type_for("wasm"), "application/octet-stream");
}

}  // namespace
}  // namespace rtcwire::server
