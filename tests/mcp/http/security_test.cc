// Host/Origin validation, bearer tokens and the token file.
#include "mcp/http/security.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "core/base/files.h"
#include "tests/support/temp_dir.h"

namespace weft::mcp {
namespace {

using weft::testing::ScopedTempDir;

TEST(Security, LoopbackAddresses) {
  EXPECT_TRUE(IsLoopbackAddress("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackAddress("127.3.2.1"));
  EXPECT_TRUE(IsLoopbackAddress("::1"));
  EXPECT_TRUE(IsLoopbackAddress("[::1]"));
  EXPECT_TRUE(IsLoopbackAddress("LocalHost"));
  EXPECT_FALSE(IsLoopbackAddress("0.0.0.0"));
  EXPECT_FALSE(IsLoopbackAddress("10.0.0.1"));
  EXPECT_FALSE(IsLoopbackAddress("localhost.evil.com"));
}

TEST(Security, HostHeaderMustNameThisServer) {
  HttpOptions o;
  EXPECT_TRUE(HostAllowed("127.0.0.1:8080", o));
  EXPECT_TRUE(HostAllowed("localhost", o));
  EXPECT_TRUE(HostAllowed("[::1]:9", o));
  EXPECT_FALSE(HostAllowed("evil.com", o));
  EXPECT_FALSE(HostAllowed("evil.com:8080", o));
  EXPECT_FALSE(HostAllowed("127.0.0.1:notaport", o));
  EXPECT_FALSE(HostAllowed("[::1", o));
  o.allowed_hosts = {"box.internal"};
  EXPECT_TRUE(HostAllowed("box.internal:7000", o));
}

TEST(Security, ForeignOriginsAreRefused) {
  HttpOptions o;
  EXPECT_TRUE(OriginAllowed("http://localhost:3000", o));
  EXPECT_TRUE(OriginAllowed("https://127.0.0.1", o));
  EXPECT_FALSE(OriginAllowed("http://evil.com", o));
  EXPECT_FALSE(OriginAllowed("null", o));
  EXPECT_FALSE(OriginAllowed("file://", o));
  EXPECT_FALSE(OriginAllowed("http://localhost@evil.com", o));
  EXPECT_FALSE(OriginAllowed("http://localhost.evil.com", o));
}

TEST(Security, BearerTokenMatchesExactly) {
  EXPECT_TRUE(BearerMatches("Bearer s3cret-token", "s3cret-token"));
  EXPECT_TRUE(BearerMatches("bearer s3cret-token", "s3cret-token"));
  EXPECT_FALSE(BearerMatches("Bearer s3cret-toke", "s3cret-token"));
  EXPECT_FALSE(BearerMatches("Bearer s3cret-token2", "s3cret-token"));
  EXPECT_FALSE(BearerMatches("Basic s3cret-token", "s3cret-token"));
  EXPECT_FALSE(BearerMatches("", "s3cret-token"));
  EXPECT_FALSE(BearerMatches("Bearer ", ""));
}

TEST(Security, TokenIsGeneratedOncePrivateAndReused) {
  ScopedTempDir tmp;
  std::string state = tmp.Join("state/weft");
  bool created = false;
  auto first = LoadOrCreateToken(state, &created);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(created);
  EXPECT_EQ(first->size(), 64u);
  struct stat st;
  ASSERT_EQ(::stat(TokenPath(state).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(state.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  auto second = LoadOrCreateToken(state, &created);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(created);
  EXPECT_EQ(*second, *first);
}

TEST(Security, LooseTokenFileIsTightenedAndJunkRefused) {
  ScopedTempDir tmp;
  tmp.WriteFile("s/http-token", "abcdefghijklmnopqrstuvwxyz\n");
  ASSERT_EQ(::chmod(tmp.Join("s/http-token").c_str(), 0644), 0);
  auto token = LoadOrCreateToken(tmp.Join("s"));
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_EQ(*token, "abcdefghijklmnopqrstuvwxyz");
  struct stat st;
  ASSERT_EQ(::stat(tmp.Join("s/http-token").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  tmp.WriteFile("t/http-token", "short\n");
  auto junk = LoadOrCreateToken(tmp.Join("t"));
  EXPECT_EQ(junk.status().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace weft::mcp
