// The WorkspaceStore contract against the in-memory fake.
#include "fakes/fake_workspace_store.hpp"
#include "store/contract/workspace_contract.hpp"

namespace chorus::testing {
namespace {

class FakeWorkspaceWorld {
 public:
  void SetUp() {}
  workspace::WorkspaceStore& store() { return store_; }

 private:
  fakes::FakeWorkspaceStore store_;
};

INSTANTIATE_TYPED_TEST_SUITE_P(Fake, WorkspaceContract, FakeWorkspaceWorld);

}  // namespace
}  // namespace chorus::testing
