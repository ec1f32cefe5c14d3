#include "static_files.hpp"

#include <gtest/gtest.h>

#include <stdlib.h>

#include <fstream>
#include <string>
#include <vector>

namespace rtcwire::server {
namespace {

namespace fs = std::filesystem;

// site/ mounted at "/", js/ at "/js"; secret.txt lies outside both.
class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "rtcwire_static_test_XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    base = pattern;
    fs::create_directories(base / "site/sub");
    fs::create_directories(base / "site/empty");
    fs::create_directories(base / "js");
    write(base / "secret.txt");
    write(base / "site/index.html");
    write(base / "site/sub/index.html");
    write(base / "site/app.wasm");
    write(base / "site/with space.txt");
    write(base / "js/index.mjs");
    write(base / "site/js/shadowed.mjs");
    fs::create_symlink(base / "secret.txt", base / "site/leak.txt");
    fs::create_directory_symlink(base, base / "site/up");
    fs::create_symlink(base / "site/app.wasm", base / "site/alias.wasm");
    mounts = {{"/", fs::canonical(base / "site")}, {"/js", fs::canonical(base / "js")}};
  }
  void TearDown() override { fs::remove_all(base); }

  static void write(const fs::path& path) { std::ofstream(path) << path.filename().string(); }

  StaticLookup lookup(std::string_view path) const { return resolve_static(mounts, path); }

  fs::path real(const fs::path& relative) const { return fs::canonical(base / relative); }

  fs::path base;
  std::vector<StaticMount> mounts;
};

TEST_F(StaticFilesTest, FilesUnderTheRootMount) {
  EXPECT_EQ(lookup("/app.wasm").outcome, StaticOutcome::file);
  EXPECT_EQ(lookup("/app.wasm").file, real("site/app.wasm"));
  EXPECT_EQ(lookup("/with%20space.txt").file, real("site/with space.txt"));
  EXPECT_EQ(lookup("//app.wasm").file, real("site/app.wasm"));
}

TEST_F(StaticFilesTest, LongestPrefixWins) {
  EXPECT_EQ(lookup("/js/index.mjs").file, real("js/index.mjs"));
  // site/js/ is hidden by the /js mount.
  EXPECT_EQ(lookup("/js/shadowed.mjs").outcome, StaticOutcome::not_found);
  // A prefix matches whole segments only.
  EXPECT_EQ(lookup("/jsx/index.mjs").outcome, StaticOutcome::not_found);
}

TEST_F(StaticFilesTest, DirectoriesServeIndexHtmlOrRedirect) {
  EXPECT_EQ(lookup("/").file, real("site/index.html"));
  EXPECT_EQ(lookup("/sub/").file, real("site/sub/index.html"));
  const StaticLookup redirect = lookup("/sub");
  EXPECT_EQ(redirect.outcome, StaticOutcome::redirect);
  EXPECT_EQ(redirect.location, "/sub/");
  EXPECT_EQ(lookup("//sub").location, "/sub/");  // never "//sub/", a protocol-relative URL
  EXPECT_EQ(lookup("/empty/").outcome, StaticOutcome::not_found);
  EXPECT_EQ(lookup("/js").outcome, StaticOutcome::redirect);
}

TEST_F(StaticFilesTest, DotfilesAreNeverServed) {
  fs::create_directories(base / "site/.git");
  write(base / "site/.env");
  write(base / "site/.git/config");
  fs::create_directories(base / "site/.well-hidden");
  write(base / "site/.well-hidden/index.html");
  fs::create_symlink(base / "site/.env", base / "site/env.txt");
  for (const char* path : {"/.env", "/.git/config", "/%2eenv", "/%2Egit/config", "/.git/",
                           "/.well-hidden/", "/env.txt", "//.env"}) {
    EXPECT_EQ(lookup(path).outcome, StaticOutcome::not_found) << path;
  }
}

TEST_F(StaticFilesTest, MissingFilesAreNotFound) {
  EXPECT_EQ(lookup("/nope.html").outcome, StaticOutcome::not_found);
  EXPECT_EQ(lookup("/app.wasm/more").outcome, StaticOutcome::not_found);
  EXPECT_EQ(resolve_static({}, "/app.wasm").outcome, StaticOutcome::not_found);
}

TEST_F(StaticFilesTest, SymlinksInsideTheMountAreFollowed) {
  EXPECT_EQ(lookup("/alias.wasm").file, real("site/app.wasm"));
}

TEST_F(StaticFilesTest, SymlinksOutOfTheMountAreNotFound) {
  EXPECT_EQ(lookup("/leak.txt").outcome, StaticOutcome::not_found);
  EXPECT_EQ(lookup("/up/secret.txt").outcome, StaticOutcome::not_found);
  EXPECT_EQ(lookup("/up/").outcome, StaticOutcome::not_found);
}

class TraversalTest : public StaticFilesTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(TraversalTest, IsRefused) {
  const StaticLookup result = lookup(GetParam());
  EXPECT_NE(result.outcome, StaticOutcome::file) << result.file;
  EXPECT_NE(result.outcome, StaticOutcome::redirect);
}

INSTANTIATE_TEST_SUITE_P(Attempts, TraversalTest,
                         ::testing::Values("/../secret.txt", "/js/../../secret.txt",
                                           "/%2e%2e/secret.txt", "/%2E%2E/secret.txt",
                                           "/js/%2e%2e/%2e%2e/secret.txt", "/..%2fsecret.txt",
                                           "/js/..%5c..%5csecret.txt", "/.%2e/secret.txt",
                                           "/./app.wasm", "/%00/app.wasm", "/app.wasm%00.html",
                                           "/%zz", "/%2", "", "secret.txt", "/up/../secret.txt"));

}  // namespace
}  // namespace rtcwire::server
