// The WorkspaceStore contract against PostgreSQL (PgWorkspaceStore), each test in a fresh
// database.
#include "store/contract/workspace_contract.hpp"
#include "store/pg/pg_workspace_store.hpp"
#include "store/store_fixtures.hpp"
#include "support/pg_test_database.hpp"

namespace chorus::testing {
namespace {

class PgWorkspaceWorld {
 public:
  void SetUp() {
    auto created = PgTestDatabase::Create();
    ASSERT_TRUE(created.ok()) << created.error().message;
    database_ = std::move(created).value();
    store_ = std::make_unique<store::pg::PgWorkspaceStore>(database_->url(),
                                                           store::pg::TestKeyring());
  }
  workspace::WorkspaceStore& store() { return *store_; }

 private:
  std::unique_ptr<PgTestDatabase> database_;
  std::unique_ptr<store::pg::PgWorkspaceStore> store_;
};

INSTANTIATE_TYPED_TEST_SUITE_P(Pg, WorkspaceContract, PgWorkspaceWorld);

}  // namespace
}  // namespace chorus::testing
