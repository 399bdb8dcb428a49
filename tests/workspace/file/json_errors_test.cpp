// Pins the shapes of protobuf 3.21's JSON parse errors that FromJsonError reads: if an upgrade
// changes one, the "raw" expectation here fails first, naming what changed, instead of operators
// silently getting worse messages.
#include "workspace/file/json_errors.hpp"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <ostream>

#include "chorus/v1/workspace.pb.h"

namespace chorus::workspace::file {
namespace {

struct Pin {
  const char* name;
  const char* json;
  bool as_struct;    // parsed as plain JSON (the first pass) rather than against the schema
  const char* raw;   // protobuf's message, exactly
  const char* ours;  // what the operator reads
};

void PrintTo(const Pin& pin, std::ostream* os) { *os << pin.name; }

std::string RawError(const Pin& pin) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  google::protobuf::util::Status status;
  if (pin.as_struct) {
    google::protobuf::Struct tree;
    status = google::protobuf::util::JsonStringToMessage(pin.json, &tree, options);
  } else {
    chorus::v1::Workspace workspace;
    status = google::protobuf::util::JsonStringToMessage(pin.json, &workspace, options);
  }
  return std::string(status.message());
}

class ProtobufJsonError : public ::testing::TestWithParam<Pin> {};

TEST_P(ProtobufJsonError, HasThePinnedShapeAndReadsAsPathAndProblem) {
  const Pin& pin = GetParam();
  const std::string raw = RawError(pin);
  EXPECT_EQ(raw, pin.raw) << "protobuf's JSON error text changed: update FromJsonError";
  EXPECT_EQ(FromJsonError(raw, pin.json).message, pin.ours);
}

INSTANTIATE_TEST_SUITE_P(
    Pins, ProtobufJsonError,
    ::testing::Values(
        Pin{"UnknownField", R"({"organization": {"bogus": 1}})", false,
            "(organization) bogus: Cannot find field.",
            "organization.bogus: unknown field"},
        Pin{"UnknownTopLevelField", R"({"bogus": 1})", false, "bogus: Cannot find field.", "bogus: unknown field"},
        Pin{"WrongScalarType", R"({"organization": {"name": 5}})", false,
            "(organization.name): invalid value 5 for type TYPE_STRING",
            "organization.name: invalid value 5 (expected a string)"},
        Pin{"ObjectForAScalar", R"({"organization": {"name": {"a": 1}}})", false,
            "(organization): invalid value Starting an object on a scalar field for type name",
            "organization.name: expected a single value, not an object"},
        Pin{"ListForAScalar", R"({"organization": {"name": ["a"]}})", false,
            "(organization) name: Proto field is not repeating, cannot start list.",
            "organization.name: expected a single value, not a list"},
        Pin{"ListForAMap", R"({"organization": {"translations": []}})", false,
            "(organization): invalid value Cannot bind a list to map for field 'translations'. "
            "for type Map",
            "organization.translations: expected an object, not a list"},
        Pin{"BadEnum", R"({"organization": {"compliance_words": [{"intent": "STAHP"}]}})", false,
            "(organization.compliance_words[0].intent): invalid value \"STAHP\" for type "
            "type.googleapis.com/chorus.v1.ComplianceWord.Intent",
            "organization.compliance_words[0].intent: invalid value \"STAHP\" (expected one of "
            "OPT_OUT, OPT_OUT_ALL, OPT_IN, HELP)"},
        Pin{"NegativeForUnsigned", R"({"organization": {"loop_guard": {"max_repeats": -1}}})",
            false, "(organization.loop_guard.max_repeats): invalid value -1 for type TYPE_UINT32",
            "organization.loop_guard.max_repeats: invalid value -1 (expected a whole number from "
            "0 to 4294967295)"},
        Pin{"SyntaxError", "{\n  \"organization\": {\n    \"name\": \"A\",,\n  }\n}", true,
            "Expected an object key or }.\n: {\n    \"name\": \"A\",,\n  }\n}\n                    ^",
            "(file) line 3, column 17: Expected an object key or }."},
        Pin{"RootNotAnObject", "[1, 2]", false, ": Root element must be a message.", "(file): must be a JSON object"},
        Pin{"TruncatedFile", "{\"organization\": {", true,
            "Unexpected end of string. Expected an object key or }.\n\n^",
            "(file) line 1, column 19: Unexpected end of string. Expected an object key or }."}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace chorus::workspace::file
