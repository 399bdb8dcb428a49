// The OpenAPI document the real binary serves at /v1/openapi.json, checked by a standard
// validator: tests/openapi/validate.mjs runs swagger-parser (pinned by
// tests/openapi/package-lock.json) under node on what the server answered. Test-only: the
// server never runs node. Without node or tests/openapi/node_modules these tests fail and say
// how to install them (deploy/install-deps.sh, then deploy/test.sh runs npm ci).
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "e2e/e2e_fixture.hpp"

#ifndef CHORUS_SOURCE_DIR
#error "CHORUS_SOURCE_DIR must name the source tree (for tests/openapi)"
#endif

namespace chorus::e2e {
namespace {

using ::testing::HasSubstr;

constexpr std::chrono::seconds kValidateTimeout{60};

const std::string kOpenApiDir = std::string(CHORUS_SOURCE_DIR) + "/tests/openapi";
const std::string kValidator = kOpenApiDir + "/validate.mjs";

// The executable `name` in a folder of $PATH; "" when there is none. RunCommand execs a path.
std::string OnPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string_view dirs = path != nullptr && *path != '\0' ? path : "/usr/local/bin:/usr/bin:/bin";
  for (;;) {
    const std::size_t colon = dirs.find(':');
    const std::string dir(dirs.substr(0, colon));
    const std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + name;
    std::error_code error;
    if (std::filesystem::is_regular_file(candidate, error) &&
        ::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
    if (colon == std::string_view::npos) return "";
    dirs.remove_prefix(colon + 1);
  }
}

// A JSON pointer token: "~" and "/" escaped (RFC 6901), as the validator prints them.
std::string PointerToken(const std::string& key) {
  std::string out;
  for (const char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

bool IsMethod(const std::string& key) {
  for (const char* method : {"get", "put", "post", "delete", "options", "head", "patch", "trace"}) {
    if (key == method) return true;
  }
  return false;
}

class ChorusOpenApiE2eTest : public ChorusE2eTest {
 protected:
  void SetUp() override {
    ChorusE2eTest::SetUp();
    if (HasFatalFailure()) return;
    node_ = OnPath("node");
    ASSERT_FALSE(node_.empty())
        << "node is not on PATH; the OpenAPI validator needs it. Install Debian's nodejs and "
           "npm (deploy/install-deps.sh does).";
    ASSERT_TRUE(std::filesystem::is_directory(kOpenApiDir +
                                              "/node_modules/@apidevtools/swagger-parser"))
        << "the OpenAPI validator is not installed: run `npm ci --no-audit --no-fund` in "
        << kOpenApiDir << " (deploy/test.sh does)";
    server_ = StartServer();
    ASSERT_NE(server_, nullptr);
  }

  // What GET /v1/openapi.json answers (no token), parsed.
  google::protobuf::Struct ServedDocument(std::string* text = nullptr) {
    const auto doc = http_.Get(server_->base_url + "/v1/openapi.json");
    EXPECT_EQ(doc.status, 200) << doc.body;
    google::protobuf::Struct parsed;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(doc.body, &parsed).ok()) << doc.body;
    if (text != nullptr) *text = doc.body;
    return parsed;
  }

  // `node tests/openapi/validate.mjs FILE` on `document`.
  CommandResult Validate(const std::string& document) {
    const std::string file = TempFile("chorus-e2e-openapi-XXXXXX");
    EXPECT_TRUE(WriteFile(file, document)) << file;
    CommandResult r = RunCommand(node_, {kValidator, file}, {}, kValidateTimeout);
    ::unlink(file.c_str());
    return r;
  }

  // The operation object at paths[path][method] of `document`, to edit.
  static google::protobuf::Struct& OperationIn(google::protobuf::Struct& document,
                                               const std::string& path, const std::string& method) {
    auto& paths = *document.mutable_fields()->at("paths").mutable_struct_value()->mutable_fields();
    auto& item = *paths.at(path).mutable_struct_value()->mutable_fields();
    return *item.at(method).mutable_struct_value();
  }

  static std::string Json(const google::protobuf::Struct& document) {
    std::string out;
    EXPECT_TRUE(google::protobuf::util::MessageToJsonString(document, &out).ok());
    return out;
  }

  std::string node_;
  ChorusServer* server_ = nullptr;
};

TEST_F(ChorusOpenApiE2eTest, TheServedDocumentPassesAStandardOpenApiValidator) {
  std::string text;
  const google::protobuf::Struct parsed = ServedDocument(&text);
  ASSERT_FALSE(HasFailure());
  const CommandResult r = Validate(text);
  EXPECT_TRUE(r.ok()) << "node " << kValidator << ": " << r.status.Describe() << "\n"
                      << r.output;
  const int paths = parsed.fields().at("paths").struct_value().fields_size();
  EXPECT_THAT(r.output, HasSubstr("valid: Chorus organizer API "));
  EXPECT_THAT(r.output, HasSubstr(", " + std::to_string(paths) + " paths"));
}

TEST_F(ChorusOpenApiE2eTest, TheValidatorRefusesTheDocumentBrokenWhereTheSpecificationForbids) {
  const google::protobuf::Struct served = ServedDocument();
  ASSERT_FALSE(HasFailure());
  // The round trip through protobuf's Struct (keys reordered, numbers as doubles) keeps the
  // document valid, so what fails below is the break alone.
  const CommandResult control = Validate(Json(served));
  ASSERT_TRUE(control.ok()) << control.status.Describe() << "\n" << control.output;

  // Two operations: the first loses its responses (the OpenAPI schema requires them), the
  // second takes the first's operationId (the OpenAPI text requires them unique).
  struct Found {
    std::string path, method, pointer;
  };
  std::vector<Found> operations;
  for (const auto& [path, item] : served.fields().at("paths").struct_value().fields()) {
    for (const auto& [method, operation] : item.struct_value().fields()) {
      if (IsMethod(method)) {
        operations.push_back({path, method, "#/paths/" + PointerToken(path) + "/" + method});
      }
    }
    if (operations.size() >= 2) break;
  }
  ASSERT_GE(operations.size(), 2u) << "the served document has fewer than two operations";
  const Found& first = operations[0];
  const Found& second = operations[1];

  google::protobuf::Struct no_responses = served;
  OperationIn(no_responses, first.path, first.method).mutable_fields()->erase("responses");
  const CommandResult missing = Validate(Json(no_responses));
  EXPECT_TRUE(missing.status.exited && missing.status.code == 1)
      << missing.status.Describe() << "\n" << missing.output;
  EXPECT_THAT(missing.output, HasSubstr("Swagger schema validation failed."));
  EXPECT_THAT(missing.output,
              HasSubstr(first.pointer + " must have required property 'responses'"));

  google::protobuf::Struct same_id = served;
  const auto& first_fields = OperationIn(same_id, first.path, first.method).fields();
  const auto first_id = first_fields.find("operationId");
  ASSERT_NE(first_id, first_fields.end()) << first.pointer << " has no operationId";
  const std::string id = first_id->second.string_value();
  (*OperationIn(same_id, second.path, second.method).mutable_fields())["operationId"]
      .set_string_value(id);
  const CommandResult twice = Validate(Json(same_id));
  EXPECT_TRUE(twice.status.exited && twice.status.code == 1)
      << twice.status.Describe() << "\n" << twice.output;
  // Which of the two the validator meets first depends on the order of the keys.
  EXPECT_THAT(twice.output, HasSubstr("operationId '" + id + "' is already used by "));
  EXPECT_THAT(twice.output, HasSubstr(first.pointer));
  EXPECT_THAT(twice.output, HasSubstr(second.pointer));
}

}  // namespace
}  // namespace chorus::e2e
