#include "store/store_fixtures.hpp"

#include "store/pg/pg_workspace_store.hpp"

namespace chorus::store::pg {

workspace::Definition AcmeDefinition() {
  workspace::Definition d;
  d.slug = "acme";
  d.name = "Acme Tenants Union";
  d.default_language = "en";
  workspace::Texts en;
  en.help = "Acme: text JOIN to join, STOP to stop.";
  en.opt_out_confirmation = kStopConfirmation;
  en.opt_out_all_confirmation = "Acme: you will get nothing more from any Acme number.";
  en.opt_in_confirmation = "Acme: you are subscribed again.";
  en.default_reply = kDefaultReply;
  d.texts["en"] = en;
  workspace::Texts hi;
  hi.help = "एक्मे: जुड़ने के लिए JOIN भेजें।";
  hi.opt_out_confirmation = "एक्मे: आपकी सदस्यता रद्द हो गई।";
  d.texts["hi"] = hi;

  workspace::ChannelDefinition sms;
  sms.slug = "acme-sms";
  sms.carrier = "twilio";
  sms.sender = "+15005550006";
  sms.country = "US";
  sms.segments_per_second = 1.0;
  sms.settings = {{"account_sid", "AC0123456789"}};
  sms.secrets = {{"auth_token", "test-token"}};
  workspace::ChannelDefinition alerts = sms;
  alerts.slug = "acme-alerts";
  alerts.sender = "+15005550007";
  d.channels = {sms, alerts};

  workspace::KeywordDefinition join;
  join.word = "join";
  join.display_word = "JOIN";
  join.reply = kWelcome;
  join.opt_in = true;
  join.language = "en";
  workspace::KeywordDefinition news;
  news.word = "news";
  news.display_word = "NEWS";
  news.channels = {"acme-sms"};
  news.reply = "Acme news: meeting Tuesday 7pm.";
  news.language = "en";
  d.keywords = {join, news};
  return d;
}

std::shared_ptr<const secrets::Keyring> TestKeyring() {
  // 32 bytes 0x00..0x1f; a test key, never a real one.
  static const auto ring = std::make_shared<const secrets::Keyring>(
      secrets::Keyring::Parse("test AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n").value());
  return ring;
}

pqxx::connection& StoreTest::Connection() {
  if (!connection_) connection_ = std::make_unique<pqxx::connection>(url());
  return *connection_;
}

void AcmeStoreTest::SetUp() {
  ASSERT_NO_FATAL_FAILURE(StoreTest::SetUp());
  PgWorkspaceStore workspaces(url(), TestKeyring());
  auto applied = workspaces.Apply(AcmeDefinition());
  ASSERT_TRUE(applied.ok()) << applied.error().message;
  org_ = applied->organization_id;
  auto snapshot = workspaces.LoadSnapshot();
  ASSERT_TRUE(snapshot.ok()) << snapshot.error().message;
  snapshot_ = *snapshot;
  const Channel* sms = snapshot_->ChannelBySlug("acme-sms");
  const Channel* alerts = snapshot_->ChannelBySlug("acme-alerts");
  ASSERT_NE(sms, nullptr);
  ASSERT_NE(alerts, nullptr);
  sms_ = sms->id;
  alerts_ = alerts->id;
}

MemberId AcmeStoreTest::InsertMember(const std::string& phone) {
  return Value<MemberId>(
      "INSERT INTO members (organization_id, phone_e164) VALUES ($1, $2) RETURNING id", org_,
      phone);
}

OutboundId AcmeStoreTest::InsertOutbound(const OutboundRow& row) {
  return Value<OutboundId>(
      "INSERT INTO outbound_messages (organization_id, channel_id, member_id, recipient, body,"
      " kind, priority, segments, encoding, body_hash, status, carrier_message_id, created_at,"
      " next_attempt_at)"
      " VALUES ($1, $2, $3, $4, $5, $6, $7, 1, 'gsm7', hashtext($5), $8, NULLIF($9, ''),"
      " now() - $10::interval, now() + $11::interval) RETURNING id",
      org_, row.channel, row.member, row.recipient, row.body, row.kind, row.priority, row.status,
      row.carrier_message_id, row.created_ago, row.due_in);
}

std::string AcmeStoreTest::Status(OutboundId id) {
  return Value<std::string>("SELECT status FROM outbound_messages WHERE id = $1", id);
}

ingest::InboundItem AcmeStoreTest::Inbound(ChannelId channel, const std::string& carrier_id,
                                           const std::string& sender,
                                           const std::string& body) const {
  ingest::InboundItem in;
  in.organization_id = org_;
  in.channel_id = channel;
  in.carrier_message_id = carrier_id;
  in.sender = sender;
  in.sender_is_e164 = true;
  in.recipient = channel == sms_ ? "+15005550006" : "+15005550007";
  in.body = body;
  return in;
}

ingest::StatusItem AcmeStoreTest::Report(ChannelId channel, const std::string& carrier_id,
                                         DeliveryStatus status, const std::string& raw) const {
  ingest::StatusItem st;
  st.organization_id = org_;
  st.channel_id = channel;
  st.carrier_message_id = carrier_id;
  st.status = status;
  st.raw_status = raw;
  return st;
}

}  // namespace chorus::store::pg
