// Carrier credentials at rest (docs/SECRETS.md), through the real binary: `chorus apply` seals
// them under the key file, `chorus serve` needs that file to open them, `chorus secrets rekey`
// moves them to a new key.
#include <sys/stat.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "e2e/e2e_fixture.hpp"

namespace chorus::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::size_t Lines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

class SecretsE2eTest : public ChorusE2eTest {
 protected:
  // `chorus serve` on ports nobody listens to: these runs stop before they bind.
  CommandResult ServeWithKeyFile(const std::string& key_file) {
    return RunCommand(ChorusBinary(), {"serve"},
                      {{"CHORUS_DATABASE_URL", database_url_},
                       {"CHORUS_SECRETS_KEY_FILE", key_file},
                       {"CHORUS_LISTEN", "127.0.0.1:1"},
                       {"CHORUS_ADMIN_LISTEN", "127.0.0.1:2"}},
                      std::chrono::seconds(20));
  }

  void ExpectNoCredentialsIn(const std::string& text) {
    EXPECT_THAT(text, Not(HasSubstr(auth_token_)));
    EXPECT_THAT(text, Not(HasSubstr(telnyx_api_key_)));
  }
};

TEST_F(SecretsE2eTest, AppliedCredentialsAreInNoColumnOfTheDatabase) {
  for (const auto& row : Query("SELECT channels::text FROM channels")) {
    ExpectNoCredentialsIn(row[0].c_str());
  }
  EXPECT_EQ(Count("SELECT count(*) FROM channels WHERE secrets <> '{}'"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM channels WHERE secrets_key_id = 'e2e'"), 2);
  // ...and the server opens them: both carriers accept its sends.
  ASSERT_NE(StartServer(), nullptr);
  Text(Member(90), "JOIN");
  TelnyxText(Member(91), "JOIN");
  EXPECT_TRUE(WaitForTexts(Member(90), 1));
  EXPECT_TRUE(Eventually([&] { return TelnyxBodiesTo(Member(91)).size() == 1; }));
}

TEST_F(SecretsE2eTest, ServeWithoutAUsableKeyFileStopsWithOneLine) {
  const CommandResult none = ServeWithKeyFile("");
  EXPECT_TRUE(none.status.exited && none.status.code == 1) << none.status.Describe();
  EXPECT_EQ(Lines(none.output), 1u) << none.output;
  EXPECT_THAT(none.output, HasSubstr("CHORUS_SECRETS_KEY_FILE"));

  ASSERT_EQ(::chmod(key_file_.c_str(), 0644), 0);
  const CommandResult readable = ServeWithKeyFile(key_file_);
  EXPECT_TRUE(readable.status.exited && readable.status.code == 1) << readable.status.Describe();
  EXPECT_EQ(Lines(readable.output), 1u) << readable.output;
  EXPECT_THAT(readable.output, HasSubstr("chmod 600"));

  const std::string other = TempFile("chorus-e2e-other-keys-XXXXXX");
  ASSERT_TRUE(WriteFile(other, RunCommand(ChorusBinary(), {"secrets", "keygen", "e2e"}, {},
                                          std::chrono::seconds(20))
                                   .output));
  const CommandResult wrong = ServeWithKeyFile(other);
  ::unlink(other.c_str());
  EXPECT_TRUE(wrong.status.exited && wrong.status.code == 1) << wrong.status.Describe();
  EXPECT_EQ(Lines(wrong.output), 1u) << wrong.output;
  for (const auto* output : {&none.output, &readable.output, &wrong.output}) {
    ExpectNoCredentialsIn(*output);
  }
}

TEST_F(SecretsE2eTest, RekeyMovesEveryChannelToTheNewKeyAndTheOldOneCanGo) {
  const CommandResult keygen =
      RunCommand(ChorusBinary(), {"secrets", "keygen", "e2e-2"}, {}, std::chrono::seconds(20));
  ASSERT_TRUE(keygen.ok()) << keygen.output;
  ASSERT_TRUE(WriteFile(key_file_, ReadFile(key_file_) + keygen.output));

  const CommandResult rekey = RunCommand(
      ChorusBinary(), {"secrets", "rekey"},
      {{"CHORUS_DATABASE_URL", database_url_}, {"CHORUS_SECRETS_KEY_FILE", key_file_}},
      std::chrono::seconds(20));
  ASSERT_TRUE(rekey.ok()) << rekey.output;
  EXPECT_THAT(rekey.output, HasSubstr("2 channel(s) and 1 webhook secret(s) under key e2e-2"));
  EXPECT_EQ(Count("SELECT count(*) FROM channels WHERE secrets_key_id = 'e2e-2'"), 2);

  ASSERT_TRUE(WriteFile(key_file_, keygen.output));  // the old key removed
  ASSERT_NE(StartServer(), nullptr);
  Text(Member(92), "JOIN");
  EXPECT_TRUE(WaitForTexts(Member(92), 1));
}

}  // namespace
}  // namespace chorus::e2e
