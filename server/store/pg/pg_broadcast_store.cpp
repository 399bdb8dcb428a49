#include "store/pg/pg_broadcast_store.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "core/text.hpp"
#include "flows/merge.hpp"
#include "store/pg/audience_sql.hpp"
#include "store/pg/pg_array.hpp"
#include "store/pg/pg_idempotency.hpp"

namespace chorus::store::pg {
namespace {

using broadcasts::Action;
using broadcasts::BroadcastView;
using broadcasts::Caller;
using broadcasts::Draft;
using broadcasts::Outcome;
using broadcasts::Problem;
using broadcasts::Written;

constexpr const char* kTimeFormat = "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'";

std::string Rfc3339(const std::string& column) {
  return "coalesce(to_char(" + column + " AT TIME ZONE 'UTC', " + kTimeFormat + "), '')";
}

struct Organization {
  std::string name, zone, default_language;
  std::optional<std::string> quiet_start, quiet_end;
  std::optional<std::int64_t> approval_above;
};

Organization LoadOrganization(pqxx::transaction_base& tx, OrganizationId org) {
  const pqxx::row r = tx.exec_params1(
      "SELECT name, time_zone, default_language, quiet_hours_start, quiet_hours_end,"
      " broadcast_approval_above FROM organizations WHERE id = $1",
      org);
  Organization o{r[0].c_str(), r[1].c_str(), r[2].c_str(), r[3].c_str(), r[4].c_str(), {}};
  if (!r[5].is_null()) o.approval_above = r[5].as<std::int64_t>();
  return o;
}

struct PoolChannel {
  std::int64_t id = 0;
  std::string slug;
  double price = 0;
  std::string currency;
};

// What a draft names, found in the organization: the first unknown name is the problem.
struct Resolved {
  std::vector<PoolChannel> pool;
  std::optional<Problem> problem;
  bool out_of_reach = false;
};

Resolved Resolve(pqxx::transaction_base& tx, const Caller& caller, const Draft& draft) {
  Resolved out;
  std::map<std::string, PoolChannel> channels;
  for (const auto& r : tx.exec_params(
           "SELECT slug, id, segment_price, currency FROM channels WHERE organization_id = $1"
           " AND enabled AND slug = ANY ($2::text[])",
           caller.organization, TextArray(draft.channels))) {
    channels[r[0].c_str()] =
        PoolChannel{r[1].as<std::int64_t>(), r[0].c_str(), r[2].as<double>(), r[3].c_str()};
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < draft.channels.size(); ++i) {
    auto found = channels.find(draft.channels[i]);
    if (found == channels.end()) {
      out.problem = Problem{"channels[" + std::to_string(i) + "]", "no such channel"};
      return out;
    }
    if (seen.insert(found->first).second) out.pool.push_back(found->second);
  }
  const auto named = broadcasts::ChaptersNamed(draft.audience);
  std::map<std::string, std::int64_t> chapters;
  for (const auto& r : tx.exec_params(
           "SELECT slug, id FROM chapters WHERE organization_id = $1 AND archived_at IS NULL"
           " AND slug = ANY ($2::text[])",
           caller.organization, TextArray(named))) {
    chapters[r[0].c_str()] = r[1].as<std::int64_t>();
  }
  for (const auto& slug : named) {
    auto found = chapters.find(slug);
    if (found == chapters.end()) {
      out.problem = Problem{"audience", "no such chapter \"" + slug + "\""};
      return out;
    }
    const auto& scope = caller.chapter_scope;
    if (!scope.empty() && std::find(scope.begin(), scope.end(), found->second) == scope.end()) {
      out.out_of_reach = true;
      return out;
    }
  }
  std::vector<std::string> events;
  auto add_events = [&](const broadcasts::AudienceRule& rule) {
    for (const auto* list : {&rule.took, &rule.not_took}) {
      for (const auto& a : *list) {
        if (!a.event.empty()) events.push_back(a.event);
      }
    }
  };
  add_events(draft.audience.include);
  for (const auto& rule : draft.audience.exclude) add_events(rule);
  std::set<std::string> known_events;
  for (const auto& r : tx.exec_params(
           "SELECT slug FROM events WHERE organization_id = $1 AND slug = ANY ($2::text[])",
           caller.organization, TextArray(events))) {
    known_events.insert(r[0].c_str());
  }
  for (const auto& e : events) {
    if (!known_events.count(e)) {
      out.problem = Problem{"audience", "no such event \"" + e + "\""};
      return out;
    }
  }
  if (!draft.reply_flow.empty() &&
      tx.exec_params("SELECT 1 FROM flows WHERE organization_id = $1 AND slug = $2",
                     caller.organization, draft.reply_flow)
          .empty()) {
    out.problem = Problem{"reply_flow", "no such flow"};
  }
  return out;
}

std::map<std::string, std::string> SentVariants(const Draft& draft) {
  std::map<std::string, std::string> out;
  for (const auto& [language, text] : draft.variants) {
    out[language] = broadcasts::VariantText(text, draft.replace_look_alikes);
  }
  return out;
}

BroadcastSql Compile(const Caller& caller, const Draft& draft, const Organization& org,
                     const std::vector<PoolChannel>& pool) {
  BroadcastSqlInput in;
  in.organization = caller.organization;
  in.audience = &draft.audience;
  in.chapter_scope = caller.chapter_scope;
  in.variants = SentVariants(draft);
  in.default_language = org.default_language;
  in.organization_name = org.name;
  in.organization_zone = org.zone;
  for (const auto& c : pool) in.pool.push_back(c.id);
  return CompileBroadcast(in);
}

// The moment the broadcast is meant for, as SQL.
std::string SendAt(const Draft& draft) {
  return draft.send_at ? "greatest(to_timestamp(" + std::to_string(*draft.send_at) + "), now())"
                       : std::string("now()");
}

broadcasts::Preview Count(pqxx::transaction_base& tx, const Draft& draft, const Organization& org,
                          const std::vector<PoolChannel>& pool, const BroadcastSql& sql) {
  broadcasts::Preview p;
  const bool quiet = !draft.ignore_quiet_hours;
  std::optional<std::string> qs = quiet ? org.quiet_start : std::nullopt;
  std::optional<std::string> qe = quiet ? org.quiet_end : std::nullopt;
  const std::string at = SendAt(draft);
  std::map<std::string, std::int64_t> by_language;
  std::map<std::pair<std::string, std::int64_t>, std::int64_t> by_language_channel;
  for (const auto& r : tx.exec_params(
           "SELECT " + sql.language + ", " + sql.channel + ", count(*), count(*) FILTER (WHERE"
           " chorus_quiet_release(" + at + ", " + sql.zone + ", $1::time, $2::time) > " + at +
           ") FROM members m WHERE " + sql.audience + " AND NOT " + sql.opted_out +
           " GROUP BY 1, 2",
           qs, qe)) {
    const std::int64_t n = r[2].as<std::int64_t>();
    p.reach += n;
    p.held_by_quiet_hours += r[3].as<std::int64_t>();
    by_language[r[0].c_str()] += n;
    by_language_channel[{r[0].c_str(), r[1].as<std::int64_t>()}] += n;
  }
  p.opted_out = tx.exec("SELECT count(*) FROM members m WHERE " + sql.audience + " AND " +
                        sql.opted_out)[0][0]
                    .as<std::int64_t>();
  std::map<std::string, int> segments;
  for (broadcasts::VariantPreview& v : broadcasts::PreviewTexts(draft, org.name)) {
    v.recipients = by_language[v.language];
    p.total_segments += v.recipients * v.segments;
    p.segments_saved += v.recipients * (v.segments_without_replacement - v.segments);
    segments[v.language] = v.segments;
    p.variants.push_back(std::move(v));
  }
  for (const auto& c : pool) {
    broadcasts::ChannelCost cost{c.slug, 0, 0, c.price, c.currency, 0};
    for (const auto& [key, n] : by_language_channel) {
      if (key.second != c.id) continue;
      cost.recipients += n;
      cost.segments += n * segments[key.first];
    }
    cost.cost = static_cast<double>(cost.segments) * c.price;
    p.channels.push_back(std::move(cost));
  }
  return p;
}

std::string ViewColumns() {
  return "b.id, b.name, b.status, b.recipients, b.fanned_out, b.fanned_out_at IS NOT NULL,"
         " array_to_string(ARRAY(SELECT c.slug FROM unnest(b.channel_ids) WITH ORDINALITY u(id, n)"
         " JOIN channels c ON c.id = u.id ORDER BY u.n), ','), " +
         Rfc3339("b.send_at") + ", " + Rfc3339("b.stale_after") + ", " + Rfc3339("b.created_at") +
         ", " + Rfc3339("b.finished_at") +
         ", b.created_by, coalesce(b.approved_by, ''), coalesce(b.reply_flow, ''),"
         " b.reply_window_seconds, b.quiet_start IS NOT NULL, b.replace_look_alikes";
}

BroadcastView ReadView(const pqxx::row& r) {
  BroadcastView v;
  v.id = r[0].as<std::int64_t>();
  v.name = r[1].c_str();
  v.status = broadcasts::StatusFromName(r[2].c_str()).value_or(broadcasts::Status::kSending);
  v.recipients = r[3].as<std::int64_t>();
  v.fanned_out = r[4].as<std::int64_t>();
  v.fan_out_done = r[5].as<bool>();
  v.channels = SplitComma(r[6].c_str());
  v.send_at = r[7].c_str();
  v.stale_after = r[8].c_str();
  v.created_at = r[9].c_str();
  v.finished_at = r[10].c_str();
  v.created_by = r[11].c_str();
  v.approved_by = r[12].c_str();
  v.reply_flow = r[13].c_str();
  v.reply_window_seconds = r[14].as<std::int64_t>();
  v.quiet_hours = r[15].as<bool>();
  v.replace_look_alikes = r[16].as<bool>();
  return v;
}

// A leader sees the broadcasts made for chapters within their reach.
std::string Reach(const Caller& caller) {
  if (caller.chapter_scope.empty()) return "";
  return " AND b.chapter_scope IS NOT NULL AND b.chapter_scope <@ '" +
         IntArray(caller.chapter_scope) + "'::bigint[]";
}

std::optional<BroadcastView> ReadOne(pqxx::transaction_base& tx, const Caller& caller,
                                     std::int64_t id) {
  const pqxx::result rows = tx.exec_params(
      "SELECT " + ViewColumns() + " FROM broadcasts b WHERE b.organization_id = $1 AND b.id = $2" +
          Reach(caller),
      caller.organization, id);
  if (rows.empty()) return std::nullopt;
  BroadcastView v = ReadView(rows[0]);
  for (const auto& r : tx.exec_params(
           "SELECT key, value FROM broadcasts, jsonb_each_text(variants)"
           " WHERE organization_id = $1 AND id = $2",
           caller.organization, id)) {
    v.variants[r[0].c_str()] = r[1].c_str();
  }
  return v;
}

broadcasts::Counts ReadCounts(pqxx::transaction_base& tx, const Caller& caller, std::int64_t id) {
  broadcasts::Counts c;
  for (const auto& r : tx.exec_params(
           "SELECT status, coalesce(error_code, ''), count(*), count(replied_at)"
           " FROM outbound_messages WHERE organization_id = $1 AND broadcast_id = $2"
           " GROUP BY 1, 2",
           caller.organization, id)) {
    const std::string status = r[0].c_str();
    const std::string code = r[1].c_str();
    const std::int64_t n = r[2].as<std::int64_t>();
    c.replies += r[3].as<std::int64_t>();
    if (status == "held") c.held += n;
    else if (status == "queued") c.queued += n;
    else if (status == "sending") c.sending += n;
    else if (status == "accepted" || status == "sent") c.sent += n;
    else if (status == "delivered") c.delivered += n;
    else if (status == "undelivered") c.undelivered += n;
    else if (status == "failed") c.failed += n;
    else if (status == "expired") c.expired += n;
    else if (status == "unknown") c.unknown += n;
    else if (status == "cancelled") (code == "opted_out" ? c.suppressed : c.cancelled) += n;
    if ((status == "failed" || status == "undelivered") && !code.empty()) c.failed_by_code[code] += n;
  }
  // What members did after their message: opt-outs and actions within the reply window (a
  // day when the broadcast has none).
  const pqxx::row r = tx.exec_params1(
      "SELECT count(DISTINCT o.member_id) FILTER (WHERE EXISTS (SELECT 1 FROM consent_events e"
      "   WHERE e.organization_id = o.organization_id AND e.member_id = o.member_id"
      "     AND e.kind = 'opt_out' AND e.occurred_at >= o.sent_at"
      "     AND e.occurred_at < o.sent_at + w.window)),"
      " coalesce(sum((SELECT count(*) FROM actions a WHERE a.organization_id = o.organization_id"
      "   AND a.member_id = o.member_id AND a.created_at >= o.sent_at"
      "   AND a.created_at < o.sent_at + w.window)), 0)"
      " FROM outbound_messages o, (SELECT make_interval(secs => CASE WHEN reply_window_seconds > 0"
      "   THEN reply_window_seconds ELSE 86400 END) AS window FROM broadcasts"
      "   WHERE organization_id = $1 AND id = $2) w"
      " WHERE o.organization_id = $1 AND o.broadcast_id = $2 AND o.sent_at IS NOT NULL",
      caller.organization, id);
  c.opt_outs = r[0].as<std::int64_t>();
  c.actions = r[1].as<std::int64_t>();
  return c;
}

void Audit(pqxx::work& tx, const Caller& caller, const std::string& action, std::int64_t id,
           const std::string& detail) {
  tx.exec_params("INSERT INTO audit_log (organization_id, actor, action, detail)"
                 " VALUES ($1, $2, $3, $4)",
                 caller.organization, caller.actor, action,
                 "broadcast:" + std::to_string(id) + (detail.empty() ? "" : " " + detail));
}

Written Refused(Outcome outcome, Problem problem = {}) {
  Written w;
  w.outcome = outcome;
  w.problem = std::move(problem);
  return w;
}

constexpr const char* kInsert = R"sql(
INSERT INTO broadcasts (organization_id, name, status, audience, plan, chapter_scope, variants,
                        default_language, channel_ids, replace_look_alikes, send_at, stale_after,
                        quiet_start, quiet_end, reply_flow, reply_window_seconds, recipients,
                        created_by, created_by_token)
VALUES ($1, $2, $3, $4::jsonb,
        jsonb_build_object('audience', $5::text, 'opted_out', $6::text, 'language', $7::text,
                           'zone', $8::text, 'channel', $9::text, 'body', $10::text,
                           'segments', $11::text, 'encoding', $12::text),
        $13::bigint[], $14::jsonb, $15, $16::bigint[], $17,
        coalesce(to_timestamp($18::double precision), now()),
        to_timestamp($19::double precision), $20::time, $21::time, $22, $23, $24, $25, $26)
RETURNING id
)sql";

std::string VariantsJson(pqxx::transaction_base& tx, const std::map<std::string, std::string>& v) {
  std::vector<std::string> keys, values;
  for (const auto& [k, text] : v) {
    keys.push_back(k);
    values.push_back(text);
  }
  return tx.exec_params1("SELECT jsonb_object($1::text[], $2::text[])::text", TextArray(keys),
                         TextArray(values))[0]
      .c_str();
}

std::optional<double> Seconds(const std::optional<std::int64_t>& t) {
  if (!t) return std::nullopt;
  return static_cast<double>(*t);
}

}  // namespace

PgBroadcastStore::PgBroadcastStore(std::string dsn) : session_(std::move(dsn)) {}

Result<broadcasts::PreviewOutcome> PgBroadcastStore::PreviewDraft(const Caller& caller,
                                                                  const Draft& draft) {
  return session_.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    broadcasts::PreviewOutcome out;
    const Organization org = LoadOrganization(tx, caller.organization);
    Resolved resolved = Resolve(tx, caller, draft);
    if (resolved.out_of_reach) {
      out.outcome = Outcome::kOutOfReach;
      return out;
    }
    if (resolved.problem) {
      out.outcome = Outcome::kInvalid;
      out.problem = *resolved.problem;
      return out;
    }
    const BroadcastSql sql = Compile(caller, draft, org, resolved.pool);
    out.preview = Count(tx, draft, org, resolved.pool, sql);
    return out;
  });
}

Result<Written> PgBroadcastStore::Create(const Caller& caller, const Draft& draft) {
  return session_.Run([&](pqxx::connection& c) -> Written {
    pqxx::work tx(c);
    if (auto seen = RecallKey(tx, caller.organization, caller.idempotency_key,
                              caller.request_digest)) {
      if (!seen->same_request) return Refused(Outcome::kKeyReused);
      Written w;
      auto view = ReadOne(tx, Caller{caller.organization, caller.actor, caller.token_id, {}, "", ""},
                          std::stoll(seen->body));
      if (!view) return Refused(Outcome::kNotFound);
      w.broadcast = *view;
      w.repeated = true;
      return w;
    }
    const Organization org = LoadOrganization(tx, caller.organization);
    Resolved resolved = Resolve(tx, caller, draft);
    if (resolved.out_of_reach) return Refused(Outcome::kOutOfReach);
    if (resolved.problem) return Refused(Outcome::kInvalid, *resolved.problem);
    const BroadcastSql sql = Compile(caller, draft, org, resolved.pool);
    const std::int64_t recipients =
        tx.exec("SELECT count(*) FROM members m WHERE " + sql.audience + " AND NOT " +
                sql.opted_out)[0][0]
            .as<std::int64_t>();
    const bool approval = org.approval_above && recipients > *org.approval_above;
    std::vector<std::int64_t> pool;
    for (const auto& p : resolved.pool) pool.push_back(p.id);
    const bool quiet = !draft.ignore_quiet_hours;
    std::optional<std::string> scope;
    if (!caller.chapter_scope.empty()) scope = IntArray(caller.chapter_scope);
    std::optional<std::string> reply_flow;
    if (!draft.reply_flow.empty()) reply_flow = draft.reply_flow;
    const std::int64_t id =
        tx.exec_params1(kInsert, caller.organization, draft.name,
                        approval ? "awaiting_approval" : "sending", draft.audience_json,
                        sql.audience, sql.opted_out, sql.language, sql.zone, sql.channel, sql.body,
                        sql.segments, sql.encoding, scope, VariantsJson(tx, SentVariants(draft)),
                        org.default_language, IntArray(pool), draft.replace_look_alikes,
                        Seconds(draft.send_at), Seconds(draft.stale_after),
                        quiet ? org.quiet_start : std::nullopt,
                        quiet ? org.quiet_end : std::nullopt, reply_flow,
                        draft.reply_window_seconds, recipients, caller.actor, caller.token_id)[0]
            .as<std::int64_t>();
    Audit(tx, caller, "broadcast.create", id,
          "recipients:" + std::to_string(recipients) + (approval ? " awaiting_approval" : ""));
    RememberKey(tx, caller.organization, caller.token_id, caller.idempotency_key,
                caller.request_digest, 201, std::to_string(id));
    Written w;
    w.broadcast = *ReadOne(tx, caller, id);
    tx.commit();
    return w;
  });
}

Result<std::vector<BroadcastView>> PgBroadcastStore::List(const Caller& caller,
                                                          std::int64_t before, int limit) {
  return session_.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    std::vector<BroadcastView> out;
    for (const auto& r : tx.exec_params(
             "SELECT " + ViewColumns() + " FROM broadcasts b WHERE b.organization_id = $1"
             " AND ($2 = 0 OR b.id < $2)" + Reach(caller) + " ORDER BY b.id DESC LIMIT $3",
             caller.organization, before, limit)) {
      out.push_back(ReadView(r));
    }
    return out;
  });
}

Result<std::optional<BroadcastView>> PgBroadcastStore::Get(const Caller& caller, std::int64_t id) {
  return session_.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    auto view = ReadOne(tx, caller, id);
    if (view) view->counts = ReadCounts(tx, caller, id);
    return view;
  });
}

namespace {

// Statements of each action, after the broadcast's row is locked and its status checked.
void Pause(pqxx::work& tx, OrganizationId org, std::int64_t id) {
  tx.exec_params("UPDATE broadcasts SET status = 'paused', updated_at = now()"
                 " WHERE organization_id = $1 AND id = $2", org, id);
  // What was queued waits again (held keeps its time: quiet hours still apply on resume).
  tx.exec_params("UPDATE outbound_messages SET status = 'held', updated_at = now()"
                 " WHERE organization_id = $1 AND broadcast_id = $2 AND status = 'queued'"
                 " AND NOT outcome_unknown", org, id);
}

void Cancel(pqxx::work& tx, OrganizationId org, std::int64_t id) {
  tx.exec_params("UPDATE broadcasts SET status = 'cancelled', cancelled_at = now(),"
                 " finished_at = now(), updated_at = now() WHERE organization_id = $1 AND id = $2",
                 org, id);
  // Every unsent message at once. One an earlier attempt may have delivered stays queued: its
  // claim asks the carrier (dispatch/outbox_store.hpp).
  tx.exec_params("UPDATE outbound_messages SET status = 'cancelled', error_code ="
                 " 'broadcast_cancelled', updated_at = now() WHERE organization_id = $1"
                 " AND broadcast_id = $2 AND status IN ('held', 'queued') AND NOT outcome_unknown",
                 org, id);
}

}  // namespace

Result<Written> PgBroadcastStore::Act(const Caller& caller, std::int64_t id, Action action) {
  return session_.Run([&](pqxx::connection& c) -> Written {
    pqxx::work tx(c);
    const pqxx::result row = tx.exec_params(
        "SELECT b.status, b.created_by_token FROM broadcasts b WHERE b.organization_id = $1"
        " AND b.id = $2" + Reach(caller) + " FOR UPDATE",
        caller.organization, id);
    if (row.empty()) return Refused(Outcome::kNotFound);
    const std::string status = row[0][0].c_str();
    const std::int64_t creator = row[0][1].is_null() ? 0 : row[0][1].as<std::int64_t>();
    std::string name;
    switch (action) {
      case Action::kPause:
        if (status != "sending") return Refused(Outcome::kWrongState);
        Pause(tx, caller.organization, id);
        name = "broadcast.pause";
        break;
      case Action::kResume:
        if (status != "paused") return Refused(Outcome::kWrongState);
        tx.exec_params("UPDATE broadcasts SET status = 'sending', updated_at = now()"
                       " WHERE organization_id = $1 AND id = $2", caller.organization, id);
        name = "broadcast.resume";
        break;
      case Action::kCancel:
        if (status == "cancelled" || status == "done") return Refused(Outcome::kWrongState);
        Cancel(tx, caller.organization, id);
        name = "broadcast.cancel";
        break;
      case Action::kApprove:
        if (status != "awaiting_approval") return Refused(Outcome::kWrongState);
        if (creator == caller.token_id) return Refused(Outcome::kSameCaller);
        tx.exec_params("UPDATE broadcasts SET status = 'sending', approved_by = $3,"
                       " updated_at = now() WHERE organization_id = $1 AND id = $2",
                       caller.organization, id, caller.actor);
        name = "broadcast.approve";
        break;
    }
    Audit(tx, caller, name, id, "");
    Written w;
    w.broadcast = *ReadOne(tx, caller, id);
    tx.commit();
    return w;
  });
}

PgBroadcastQueue::PgBroadcastQueue(std::string dsn) : session_(std::move(dsn)) {}

Result<std::vector<broadcasts::ActiveBroadcast>> PgBroadcastQueue::Active() {
  return session_.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    std::vector<broadcasts::ActiveBroadcast> out;
    for (const auto& r : tx.exec("SELECT organization_id, id, fanned_out_at IS NOT NULL"
                                 " FROM broadcasts WHERE status = 'sending' AND send_at <= now()"
                                 " ORDER BY send_at, id")) {
      out.push_back({r[0].as<std::int64_t>(), r[1].as<std::int64_t>(), r[2].as<bool>()});
    }
    return out;
  });
}

namespace {

// One batch of the fan-out. Members are taken in id order after the cursor; the statement
// writes their messages and moves the cursor in one transaction, so a batch is all or nothing
// and a crash resumes after the last batch that committed. ON CONFLICT is the second fence.
std::string FanOutSql(const pqxx::row& plan) {
  auto piece = [&](int i) { return std::string(plan[i].c_str()); };
  // plan columns: audience, opted_out, language, zone, channel, body, segments, encoding
  return R"sql(
WITH base AS (
  SELECT m.id, m.organization_id, m.phone_e164, m.fields, )sql" + piece(2) + R"sql( AS lang,
         )sql" + piece(4) + R"sql( AS channel_id, z.zone,
         chorus_quiet_release(to_timestamp($4::double precision), z.zone, $5::time, $6::time)
           AS release_at
    FROM members m
   CROSS JOIN LATERAL (SELECT CASE WHEN $5::time IS NULL THEN NULL
                                   ELSE )sql" + piece(3) + R"sql( END AS zone) z
   WHERE m.id > $3 AND )sql" + piece(0) + " AND NOT " + piece(1) + R"sql(
   ORDER BY m.id
   LIMIT $7
), p AS (
  SELECT m.*, )sql" + piece(5) + R"sql( AS body FROM base m
), ins AS (
  INSERT INTO outbound_messages (organization_id, channel_id, member_id, recipient, body, kind,
                                 priority, segments, encoding, body_hash, status,
                                 next_attempt_at, broadcast_id, expires_at, error_code,
                                 time_zone)
  SELECT p.organization_id, p.channel_id, p.id, p.phone_e164, p.body, 'bulk', 10,
         )sql" + piece(6) + ", " + piece(7) + R"sql(, hashtext(p.body),
         CASE WHEN p.release_at >= to_timestamp($8::double precision) THEN 'expired' ELSE 'held' END,
         p.release_at, $2, nullif(to_timestamp($8::double precision), 'infinity'),
         CASE WHEN p.release_at >= to_timestamp($8::double precision) THEN 'stale' END,
         p.zone
    FROM p
  ON CONFLICT (organization_id, broadcast_id, member_id) WHERE broadcast_id IS NOT NULL
  DO NOTHING
  RETURNING 1
)
UPDATE broadcasts x
   SET fanout_after = coalesce((SELECT max(id) FROM base), x.fanout_after),
       fanned_out = x.fanned_out + (SELECT count(*) FROM ins),
       fanned_out_at = CASE WHEN (SELECT count(*) FROM base) < $7 THEN now() END,
       updated_at = now()
 WHERE x.organization_id = $1 AND x.id = $2
RETURNING (SELECT count(*) FROM ins), x.fanned_out_at IS NOT NULL
)sql";
}

}  // namespace

Result<broadcasts::FanOutStep> PgBroadcastQueue::FanOut(const broadcasts::ActiveBroadcast& b,
                                                        int batch) {
  return session_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    broadcasts::FanOutStep step;
    // Another node fanning it out holds the row: skip, it is in hand.
    const pqxx::result row = tx.exec_params(
        "SELECT plan->>'audience', plan->>'opted_out', plan->>'language', plan->>'zone',"
        " plan->>'channel', plan->>'body', plan->>'segments', plan->>'encoding', fanout_after,"
        " extract(epoch FROM greatest(send_at, now())), quiet_start::text, quiet_end::text,"
        " coalesce(extract(epoch FROM stale_after), 'infinity'::float8)"
        " FROM broadcasts WHERE organization_id = $1 AND id = $2 AND status = 'sending'"
        " AND fanned_out_at IS NULL FOR UPDATE SKIP LOCKED",
        b.organization, b.id);
    if (row.empty()) return step;
    const pqxx::row& r = row[0];
    std::optional<std::string> qs, qe;
    if (!r[10].is_null()) qs = r[10].c_str();
    if (!r[11].is_null()) qe = r[11].c_str();
    const pqxx::row done = tx.exec_params1(
        FanOutSql(r), b.organization, b.id, r[8].as<std::int64_t>(),
        r[9].as<double>(), qs, qe, batch, r[12].as<double>());
    tx.commit();
    step.written = done[0].as<std::int64_t>();
    step.finished = done[1].as<bool>();
    return step;
  });
}

Result<broadcasts::Released> PgBroadcastQueue::Release(const broadcasts::ActiveBroadcast& b,
                                                       int queue_limit, int batch) {
  return session_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    broadcasts::Released out;
    // Shares the row with other releases; a pause or cancel (FOR UPDATE) waits for this one,
    // and this one sees theirs.
    // The queue stays at most a minute of the pool's sending deep (and under `queue_limit`):
    // what is released goes out soon, so quiet hours checked now still hold when it is sent.
    const pqxx::result row = tx.exec_params(
        "SELECT channel_ids, least($3::int, greatest(100, ceil(60 * (SELECT sum("
        " segments_per_second) FROM channels WHERE id = ANY (b.channel_ids)))::int)),"
        " quiet_start::text, quiet_end::text"
        " FROM broadcasts b WHERE organization_id = $1 AND id = $2 AND status = 'sending'"
        " FOR SHARE",
        b.organization, b.id, queue_limit);
    if (row.empty()) return out;
    queue_limit = row[0][1].as<int>();
    std::optional<std::string> qs, qe;
    if (!row[0][2].is_null()) qs = row[0][2].c_str();
    if (!row[0][3].is_null()) qe = row[0][3].c_str();
    std::set<ChannelId> channels;
    for (const auto& r : tx.exec_params(R"sql(
WITH depth AS (
  SELECT count(*) AS n FROM (
    SELECT 1 FROM outbound_messages q
     WHERE q.channel_id = ANY ($3::bigint[]) AND q.status = 'queued' AND q.priority = 10
     LIMIT $4) d
), due AS (
  SELECT o.organization_id, o.id FROM outbound_messages o
   WHERE o.organization_id = $1 AND o.broadcast_id = $2 AND o.status = 'held'
     AND o.next_attempt_at <= now()
   ORDER BY o.next_attempt_at
   LIMIT greatest(0, least($5, $4 - (SELECT n FROM depth)))
     FOR UPDATE SKIP LOCKED
), checked AS (
  -- Quiet hours again, in the recipient's zone: a message held past its morning (a pause, a
  -- slow queue) that would now go out at night waits for the next morning.
  SELECT due.organization_id, due.id, o.expires_at,
         CASE WHEN o.time_zone IS NULL THEN now()
              ELSE chorus_quiet_release(now(), o.time_zone, $6::time, $7::time) END AS at
    FROM due JOIN outbound_messages o ON o.organization_id = due.organization_id AND o.id = due.id
)
UPDATE outbound_messages o
   SET status = CASE WHEN c.expires_at <= c.at THEN 'expired'
                     WHEN c.at > now() THEN 'held' ELSE 'queued' END,
       error_code = CASE WHEN c.expires_at <= c.at THEN 'stale' ELSE o.error_code END,
       next_attempt_at = CASE WHEN c.expires_at <= c.at THEN o.next_attempt_at ELSE c.at END,
       updated_at = now()
  FROM checked c
 WHERE o.organization_id = c.organization_id AND o.id = c.id
RETURNING o.channel_id, o.status
)sql",
                                        b.organization, b.id, std::string(row[0][0].c_str()),
                                        queue_limit, batch, qs, qe)) {
      const std::string_view status = r[1].c_str();
      if (status == "queued") {
        ++out.queued;
        channels.insert(r[0].as<std::int64_t>());
      } else if (status == "expired") {
        ++out.expired;
      }
    }
    tx.commit();
    out.channels.assign(channels.begin(), channels.end());
    return out;
  });
}

Result<bool> PgBroadcastQueue::Finish(const broadcasts::ActiveBroadcast& b) {
  return session_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    const pqxx::result done = tx.exec_params(R"sql(
UPDATE broadcasts x SET status = 'done', finished_at = now(), updated_at = now()
 WHERE x.organization_id = $1 AND x.id = $2 AND x.status = 'sending'
   AND x.fanned_out_at IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM outbound_messages o WHERE o.organization_id = $1
                     AND o.broadcast_id = $2 AND o.status = 'held')
   AND NOT EXISTS (SELECT 1 FROM outbound_messages o WHERE o.channel_id = ANY (x.channel_ids)
                     AND o.status = 'queued' AND o.priority = 10 AND o.broadcast_id = $2)
   AND NOT EXISTS (SELECT 1 FROM outbound_messages o WHERE o.status = 'sending'
                     AND o.broadcast_id = $2 AND o.organization_id = $1)
RETURNING 1
)sql",
                                             b.organization, b.id);
    tx.commit();
    return !done.empty();
  });
}

}  // namespace chorus::store::pg
