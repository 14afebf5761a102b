// The StateStore contract (controller/state/state_store.h) as one suite that
// every implementation runs: state_store_test.cpp holds the cases, and each
// store's test binary instantiates them with a StoreKind (the SQLite store
// in sqlite_state_store_test.cpp, the Kubernetes store in
// tests/controller/state/kube_contract_test.cpp). A case about a promise only some
// stores make (one transaction across records, meta values that survive a
// restart) asks the harness and says why it skips.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "controller/state/state_store.h"

namespace wsop::state::test_support {

// One test's durable state (a file, a cluster), opened as a store as often
// as the test likes.
class StoreHarness {
 public:
  virtual ~StoreHarness() = default;
  // A store over the state the ones opened before wrote: a reopen is what a
  // restarted process would see. Null (and a test failure) when it cannot.
  virtual std::unique_ptr<StateStore> open() = 0;
  // put_all() stores all records or none.
  virtual bool atomic_put_all() const { return true; }
  // set_meta() survives a reopen.
  virtual bool durable_meta() const { return true; }
};

struct StoreKind {
  std::string name;                                     // the instantiation's name suffix
  std::function<std::unique_ptr<StoreHarness>()> make;  // null and a failure when it cannot
};

inline void PrintTo(const StoreKind& kind, std::ostream* out) {
  *out << kind.name;
}

class StateStoreTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  void SetUp() override {
    harness_ = GetParam().make();
    ASSERT_TRUE(harness_) << "no " << GetParam().name << " store to test";
  }
  void TearDown() override { harness_.reset(); }

  std::unique_ptr<StateStore> open_store() { return harness_->open(); }

  std::unique_ptr<StoreHarness> harness_;
};

inline std::string store_kind_name(const ::testing::TestParamInfo<StoreKind>& info) {
  return info.param.name;
}

}  // namespace wsop::state::test_support
