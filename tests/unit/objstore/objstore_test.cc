#include <gtest/gtest.h>

#include <filesystem>

#include "objstore/store.h"

namespace floe::objstore {
namespace {

TEST(Warehouse, ResolvesS3AndLocalLocations) {
  EXPECT_EQ(*ResolveWarehouse("s3://lake"), "s3://lake");
  EXPECT_EQ(*ResolveWarehouse("s3://lake/wh/"), "s3://lake/wh");
  EXPECT_EQ(*ResolveWarehouse("s3://my.lake-1/a/b"), "s3://my.lake-1/a/b");
  EXPECT_EQ(*ResolveWarehouse("/tmp/x/../wh"), "file:///tmp/wh");
  for (const char* bad : {"s3://", "s3://UPPER/x", "s3://ab", "s3://-lake/x", "s3://lake//x", "s3a://lake/x",
                          "gs://lake/x", "file:relative"}) {
    auto r = ResolveWarehouse(bad);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_TRUE(IsS3Location("s3://a/b"));
  EXPECT_FALSE(IsS3Location("file:///a"));
}

TEST(S3Store, NeedsCredentialsAndAUsableEndpoint) {
  S3Options o;
  EXPECT_EQ(NewS3Store(o).status().code(), StatusCode::kInvalidArgument);  // no credentials
  o.credentials = {"AKID", "secret", ""};
  EXPECT_TRUE(NewS3Store(o).ok());  // AWS's regional endpoint
  o.endpoint = "localhost:9000";
  EXPECT_EQ(NewS3Store(o).status().code(), StatusCode::kInvalidArgument);
}

TEST(S3Store, UnreachableEndpointIsUnavailableAndLocationsAreChecked) {
  S3Options o;
  o.endpoint = "http://127.0.0.1:1";
  o.credentials = {"AKID", "secret", ""};
  auto store = NewS3Store(o);
  ASSERT_TRUE(store.ok());
  EXPECT_EQ((*store)->Read("s3://lake/a").status().code(), StatusCode::kUnavailable);
  EXPECT_EQ((*store)->Read("s3://NO/a").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ((*store)->Write("s3://lake", "x").code(), StatusCode::kInvalidArgument);  // no key
  EXPECT_EQ((*store)->Read("file:///tmp/a").status().code(), StatusCode::kInvalidArgument);
}

TEST(RoutingStore, RoutesBySchemeAndNamesMissingS3Settings) {
  const auto dir = std::filesystem::temp_directory_path() / ("floe_objstore_test_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  auto store = NewRoutingStore(NewLocalStore(false), nullptr);
  const std::string loc = LocalLocation((dir / "a" / "b.txt").string());
  ASSERT_TRUE(store->Write(loc, "hello").ok());
  EXPECT_EQ(*store->Read(loc), "hello");
  EXPECT_EQ(*store->ReadRange(loc, 1, 3), "ell");
  auto listed = store->List(LocalLocation(dir.string()));
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].location, loc);
  Status st = store->Write("s3://lake/x", "hello");
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("\"s3\""), std::string::npos) << st.message();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace floe::objstore
