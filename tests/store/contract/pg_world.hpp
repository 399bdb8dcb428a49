#pragma once

// What every PostgreSQL world of the contract suites starts from: a fresh database with the
// Acme workspace applied (store::pg::AcmeDefinition: one organization, channels acme-sms and
// acme-alerts, loop-guard window 3600 s), and plain SQL to arrange and inspect rows.

#include <gtest/gtest.h>

#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "store/pg/pg_workspace_store.hpp"
#include "store/store_fixtures.hpp"
#include "support/pg_test_database.hpp"

namespace chorus::testing {

class PgWorld {
 public:
  void SetUp() {
    auto created = PgTestDatabase::Create();
    ASSERT_TRUE(created.ok()) << created.error().message;
    database_ = std::move(created).value();
    connection_ = std::make_unique<pqxx::connection>(database_->url());
    store::pg::PgWorkspaceStore workspaces(database_->url(), store::pg::TestKeyring());
    auto applied = workspaces.Apply(store::pg::AcmeDefinition());
    ASSERT_TRUE(applied.ok()) << applied.error().message;
    organization_ = applied->organization_id;
    for (const char* slug : {"acme-sms", "acme-alerts"}) {
      channels_.push_back(
          One<ChannelId>("SELECT id FROM channels WHERE slug = $1", std::string(slug)));
    }
  }

  const std::string& url() const { return database_->url(); }
  OrganizationId organization() const { return organization_; }
  ChannelId channel(int i) const { return channels_.at(static_cast<std::size_t>(i)); }

 protected:
  template <typename... Params>
  pqxx::result Exec(const std::string& sql, const Params&... params) {
    pqxx::work tx(*connection_);
    pqxx::result rows = tx.exec_params(sql, params...);
    tx.commit();
    return rows;
  }
  template <typename T, typename... Params>
  T One(const std::string& sql, const Params&... params) {
    return Exec(sql, params...).at(0).at(0).template as<T>();
  }

  std::unique_ptr<PgTestDatabase> database_;
  std::unique_ptr<pqxx::connection> connection_;
  OrganizationId organization_ = 0;
  std::vector<ChannelId> channels_;
};

}  // namespace chorus::testing
