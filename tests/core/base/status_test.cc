// Tests for Status and Result.
#include "core/base/status.h"

#include <cerrno>

#include <gtest/gtest.h>

#include "core/base/result.h"

namespace weft {
namespace {

TEST(Status, DefaultIsOkAndCheap) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.message(), "");
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(Status, CarriesCodeAndMessage) {
  Status s = Status::NotFound("no such file: a.txt");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.ToString(), "NotFound: no such file: a.txt");
}

TEST(Status, WithContextKeepsTheCode) {
  Status s = Status::PermissionDenied("read-only bind").WithContext("write /x");
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(s.message(), "write /x: read-only bind");
  EXPECT_TRUE(Status::Ok().WithContext("ignored").ok());
}

TEST(Status, FromErrnoNamesTheError) {
  Status s = Status::FromErrno(ENOENT, "open x");
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_EQ(s.message(), "open x: No such file or directory");
}

TEST(Status, CopiesAreIndependent) {
  Status a = Status::Internal("boom");
  Status b = a;
  a = Status::Ok();
  EXPECT_TRUE(a.ok());
  EXPECT_EQ(b.message(), "boom");
}

Result<int> Half(int v) {
  if (v % 2) return Status::InvalidArgument("odd");
  return v / 2;
}

Result<int> Quarter(int v) {
  WEFT_ASSIGN_OR_RETURN(int h, Half(v));
  return Half(h);
}

TEST(Result, HoldsValueOrStatus) {
  auto r = Half(8);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 4);
  auto e = Half(3);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().message(), "odd");
}

TEST(Result, AssignOrReturnPropagatesErrors) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_EQ(Quarter(6).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace weft
