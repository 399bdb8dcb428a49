#pragma once

// The organizer API's end-to-end fixture: a workspace with chapters in New York and Pune, a
// member in each, tokens made by `chorus token create`, and the calls the tests make.
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <regex>
#include <string>
#include <vector>

#include "e2e/e2e_fixture.hpp"

namespace chorus::e2e {

inline constexpr std::chrono::seconds kCommandTimeout{60};

inline constexpr const char* kHandOff = "An organizer will text you back here.";

class ChorusApiE2eTest : public ChorusE2eTest {
 protected:
  std::string KeywordsJson() const override {
    return ChorusE2eTest::KeywordsJson() + R"(, { "word": "HUMAN", "flow": "human" })";
  }

  std::string CampaignJson() const override {
    return R"(,
  "chapters": [
    { "slug": "us", "name": "United States" },
    { "slug": "ny", "name": "New York State", "parent": "us", "postal_codes": ["1"] },
    { "slug": "nyc", "name": "New York City", "parent": "ny", "postal_codes": ["100"] },
    { "slug": "pune", "name": "Pune", "country": "IN", "postal_codes": ["411"] }
  ],
  "flows": [
    { "slug": "human", "steps": [
      { "id": "hand", "kind": "HAND_OFF", "text": { "en": ")" + std::string(kHandOff) + R"(" } }
    ] }
  ])";
  }

  // The member asks for a person and says why; returns their open conversation's id.
  std::string HandOff(const std::string& member, const std::string& question) {
    Text(member, "HUMAN");
    EXPECT_TRUE(Eventually([&] {
      const auto bodies = BodiesTo(member);
      return std::count(bodies.begin(), bodies.end(), kHandOff) == 1;
    }));
    EXPECT_TRUE(WaitProcessed({Text(member, question)}));
    return Value("SELECT c.id::text FROM conversations c JOIN members m"
                 " ON m.organization_id = c.organization_id AND m.id = c.member_id"
                 " WHERE m.phone_e164 = $1 AND c.status = 'open'",
                 member)
        .value_or("");
  }

  transport::HttpResponseSpec Post(const std::string& path, const std::string& token,
                                   const std::string& body, const std::string& key = "") {
    transport::HttpRequestSpec request;
    request.method = "POST";
    request.url = server_->base_url + path;
    request.headers.emplace_back("Content-Type", "application/json");
    if (!token.empty()) request.headers.emplace_back("Authorization", "Bearer " + token);
    if (!key.empty()) request.headers.emplace_back("Idempotency-Key", key);
    request.body = body;
    return http_.Send(std::move(request));
  }

  struct Operation {
    std::string method;
    std::string path;
  };
  // Every operation the served OpenAPI document lists, placeholders filled in: {id} with
  // `conversation` under conversations and `member` elsewhere, {slug} with the flow "human"
  // or the chapter "pune", {version} with 1.
  std::vector<Operation> DocumentedOperations(const std::string& member,
                                              const std::string& conversation) {
    const auto doc = http_.Get(server_->base_url + "/v1/openapi.json");
    EXPECT_EQ(doc.status, 200);
    google::protobuf::Struct parsed;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(doc.body, &parsed).ok());
    std::vector<Operation> out;
    for (const auto& [path, item] : parsed.fields().at("paths").struct_value().fields()) {
      const std::string id = path.rfind("/v1/conversations", 0) == 0 ? conversation : member;
      for (const auto& [method, operation] : item.struct_value().fields()) {
        std::string filled = std::regex_replace(path, std::regex("\\{id\\}"), id);
        filled = std::regex_replace(filled, std::regex("\\{version\\}"), "1");
        const std::string slug = path.rfind("/v1/flows", 0) == 0 ? "human" : "pune";
        out.push_back({method, std::regex_replace(filled, std::regex("\\{slug\\}"), slug)});
      }
    }
    return out;
  }

  transport::HttpResponseSpec Call(const Operation& op, const std::string& token) {
    if (op.method == "post") return Post(op.path, token, R"({"text":"Hello from the walk"})");
    if (op.method == "get") return Get(op.path, token);
    transport::HttpRequestSpec request;
    request.method = op.method == "patch" ? "PATCH" : op.method == "put" ? "PUT" : "DELETE";
    if (op.method == "patch") request.body = R"({"fields":{"zip":"00000"}})";
    if (op.method == "put") request.body = R"({"word":"WALK","reply":"Walked"})";
    request.url = server_->base_url + op.path;
    if (!token.empty()) request.headers.emplace_back("Authorization", "Bearer " + token);
    return http_.Send(std::move(request));
  }

  void SetUp() override {
    ChorusE2eTest::SetUp();
    if (HasFatalFailure()) return;
    server_ = StartServer();
    ASSERT_NE(server_, nullptr);
    nyc_member_ = Member(11);
    pune_member_ = Member(12);
    ASSERT_TRUE(WaitProcessed({Text(nyc_member_, "JOIN"), Text(pune_member_, "JOIN")}));
    Place(nyc_member_, "nyc", "volunteer");
    Place(pune_member_, "pune", "volunteer");
  }

  // Arranges membership directly: placing by flow is the flows tests' subject.
  void Place(const std::string& phone, const std::string& chapter, const std::string& tag) {
    Query("INSERT INTO member_chapters (organization_id, member_id, chapter_id)"
          " SELECT m.organization_id, m.id, c.id FROM members m JOIN chapters c"
          "   ON c.organization_id = m.organization_id AND c.slug = $2 WHERE m.phone_e164 = $1",
          phone, chapter);
    Query("UPDATE members SET tags = ARRAY[$2] WHERE phone_e164 = $1", phone, tag);
  }

  std::string MemberId(const std::string& phone) {
    return Value("SELECT id::text FROM members WHERE phone_e164 = $1", phone).value_or("");
  }

  // `chorus token create ...`: the token printed on stdout.
  std::string Token(std::vector<std::string> args) {
    args.insert(args.begin(), {"token", "create", "--org", "e2e"});
    CommandResult r = RunCommand(ChorusBinary(), args, ApplyEnv(), kCommandTimeout);
    EXPECT_TRUE(r.ok()) << r.output;
    std::smatch m;
    static const std::regex kToken("chorus_[0-9]+_[A-Za-z0-9_-]{43}");
    return std::regex_search(r.output, m, kToken) ? m.str() : "";
  }

  transport::HttpResponseSpec Get(const std::string& path, const std::string& token) {
    transport::HttpRequestSpec request;
    request.method = "GET";
    request.url = server_->base_url + path;
    if (!token.empty()) request.headers.emplace_back("Authorization", "Bearer " + token);
    return http_.Send(std::move(request));
  }

  // Every text, varchar and JSON column of every table, searched for `needle`: "table.column"
  // of each hit.
  std::vector<std::string> ColumnsHolding(const std::string& needle) {
    std::vector<std::string> hits;
    for (const auto& col : Query("SELECT table_name, column_name FROM information_schema.columns"
                                 " WHERE table_schema = 'public'"
                                 "   AND data_type IN ('text', 'character varying', 'jsonb', 'ARRAY')")) {
      const std::string table = col[0].as<std::string>(), column = col[1].as<std::string>();
      const std::int64_t n = Count("SELECT count(*) FROM \"" + table + "\" WHERE \"" + column +
                                       "\"::text LIKE '%' || $1 || '%'",
                                   needle);
      if (n > 0) hits.push_back(table + "." + column);
    }
    return hits;
  }

  ChorusServer* server_ = nullptr;
  std::string nyc_member_, pune_member_;
};

}  // namespace chorus::e2e
