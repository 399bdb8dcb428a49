#pragma once

#include <pqxx/pqxx>
#include <vector>

#include "ingest/processing_store.hpp"
#include "store/pg/pg_session.hpp"

namespace chorus::store::pg {

/// The statements the writers prepare on a processing connection.
std::vector<PreparedStatement> EffectStatements();

/// Ids of the sessions of BatchEffects::sessions once written, by index.
using SessionIds = std::vector<std::int64_t>;

// One writer per kind of effect, each one statement (or two) over arrays, all inside the
// member batch's transaction. They run in this order: members, consent, sessions (so the
// others can name the sessions' ids), actions, inbox, webhook calls, audit, messages with the
// processed marks, and last timers (cancelling a session's timers skips the ones just fired).
void WriteMemberUpdates(pqxx::work& tx, const ingest::BatchEffects& fx);
void WriteConsents(pqxx::work& tx, const ingest::BatchContext& ctx, const ingest::BatchEffects& fx);
SessionIds WriteSessions(pqxx::work& tx, const ingest::BatchEffects& fx);
void WriteTimers(pqxx::work& tx, const ingest::BatchEffects& fx, const SessionIds& ids);
void WriteActions(pqxx::work& tx, const ingest::BatchEffects& fx, const SessionIds& ids);
/// Every valid answer to an ask step of the batch (flow_answers).
void WriteAnswers(pqxx::work& tx, const ingest::BatchEffects& fx);
void WriteBroadcastReplies(pqxx::work& tx, const ingest::BatchEffects& fx);
void WriteInbox(pqxx::work& tx, const ingest::BatchEffects& fx, const SessionIds& ids);
void WriteWebhookCalls(pqxx::work& tx, const ingest::BatchEffects& fx, const SessionIds& ids);
void WriteAudit(pqxx::work& tx, const ingest::BatchEffects& fx);
/// Queues the messages and marks every event processed. Returns the channels that got queued
/// messages.
std::vector<ChannelId> WriteMessagesAndMarks(pqxx::work& tx, const ingest::BatchEffects& fx);

}  // namespace chorus::store::pg
