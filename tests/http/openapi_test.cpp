// The OpenAPI document and the router agree: every /v1 route is documented with its method,
// and every documented operation is a route, so neither can drift from the other.
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <cctype>
#include <set>
#include <string>

#include "http/api_routes.hpp"

namespace chorus::http {
namespace {

google::protobuf::Struct Document() {
  google::protobuf::Struct doc;
  const auto status =
      google::protobuf::util::JsonStringToMessage(std::string(OpenApiDocument()), &doc);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return doc;
}

TEST(OpenApi, IsAnOpenApi3DocumentWithBearerSecurity) {
  const auto doc = Document();
  EXPECT_EQ(doc.fields().at("openapi").string_value().substr(0, 2), "3.");
  EXPECT_TRUE(doc.fields().at("info").struct_value().fields().contains("title"));
  EXPECT_EQ(doc.fields()
                .at("components").struct_value().fields()
                .at("securitySchemes").struct_value().fields()
                .at("bearer").struct_value().fields()
                .at("scheme").string_value(),
            "bearer");
}

TEST(OpenApi, DocumentsExactlyTheRoutesOfV1) {
  Router router;
  AddApiRoutes(router, {[](std::function<void(ApiBackends)>) {}});
  std::set<std::string> routed;
  for (const auto& pattern : router.Patterns()) {
    if (pattern.rfind("/v1/", 0) == 0 && pattern != "/v1/openapi.json") routed.insert(pattern);
  }
  std::set<std::string> documented;
  const auto doc = Document();
  for (const auto& [path, item] : doc.fields().at("paths").struct_value().fields()) {
    documented.insert(path);
    for (const auto& [method, operation] : item.struct_value().fields()) {
      std::string upper = method;
      for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      const Verb verb = beast::http::string_to_verb(upper);
      EXPECT_NE(verb, Verb::unknown) << method;
      EXPECT_NE(router.Find(verb, path).handler, nullptr) << method << " " << path;
      EXPECT_TRUE(operation.struct_value().fields().at("responses").struct_value().fields()
                      .contains("401"))
          << method << " " << path << " must say how it refuses a bad token";
    }
  }
  EXPECT_EQ(routed, documented);
}

}  // namespace
}  // namespace chorus::http
