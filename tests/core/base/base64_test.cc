// Tests for the base64 codecs.
#include "core/base/base64.h"

#include <gtest/gtest.h>

namespace weft {
namespace {

TEST(Base64, EncodesRfc4648Vectors) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
}

TEST(Base64, RoundTripsAllByteValues) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  EXPECT_EQ(*Base64Decode(Base64Encode(all)), all);
  EXPECT_EQ(*Base64UrlDecode(Base64UrlEncode(all)), all);
  EXPECT_EQ(Base64UrlEncode(all).find_first_of("+/="), std::string::npos);
}

TEST(Base64, RejectsMalformedInput) {
  EXPECT_FALSE(Base64Decode("Zm9").has_value());     // bad length
  EXPECT_FALSE(Base64Decode("Zm9v!A==").has_value()); // bad character
  EXPECT_FALSE(Base64UrlDecode("Zh").has_value());    // non-canonical tail bits
  EXPECT_FALSE(Base64UrlDecode("a").has_value());
}

}  // namespace
}  // namespace weft
