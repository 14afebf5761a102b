// Shared by the KubeStateStore tests (controller/state/kube_state_store.h):
// the Kubernetes API double, a real client and a running Workspace informer
// over every namespace, the store on them, and the raw views of the double
// (a GET straight to the API, its request counts) that tell what the store
// really sent.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "api/v1alpha1/types.h"
#include "controller/state/kube_record.h"
#include "controller/state/kube_state_store.h"
#include "kube/errors.h"
#include "kube/informer.h"
#include "tests/controller/state/state_test_support.h"
#include "tests/kube/client/kube_it_support.h"

namespace wsop::state::kubestore_test {

using Json = nlohmann::json;
using namespace std::chrono_literals;

class KubeStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(kube_.start()) << kube_.log();
    client_ = kubetest::client_from_kubeconfig(kube_);
    ASSERT_TRUE(client_);
  }
  void TearDown() override {
    if (informer_) informer_->stop();
  }

  // A Workspace object (no record yet) in `ns`.
  void create_object(const std::string& name, const std::string& ns = "default") {
    if (ns != "default") {
      ASSERT_TRUE(kube_.create_namespace(ns));
    }
    Json object = kubetest::workspace_object(name);
    object["metadata"]["namespace"] = ns;
    Outcome<Json> created = client_->create(kWorkspaceResource, ns, object);
    ASSERT_TRUE(created) << created.status().to_string();
  }

  void start(KubeStateStoreOptions options = {}) {
    kube::InformerOptions informer_options;
    informer_options.resource = kWorkspaceResource;
    // As the controller's informer (controller/runtime/kube_source.cpp), so
    // find_by_remote_id takes the index; the contract suite
    // (kube_contract_test.cpp) runs the same lookups through a scan.
    informer_options.indexed_annotations = {model::kAnnotationExternalName};
    informer_ = std::make_unique<kube::Informer>(client_, informer_options, kube::EventHandlers{});
    informer_->start();
    ASSERT_TRUE(informer_->wait_for_sync(30s)) << informer_->last_error();
    store_ = std::make_unique<KubeStateStore>(client_, *informer_, std::move(options));
  }

  // The object as the API holds it now (not the informer's copy).
  Json raw(const std::string& name, const std::string& ns = "default") {
    Outcome<Json> got = client_->get(kWorkspaceResource, ns, name);
    EXPECT_TRUE(got) << got.status().to_string();
    return got ? *got : Json();
  }
  Status raw_patch(const std::string& name, const Json& patch) {
    return client_->patch(kWorkspaceResource, "default", name, patch).status();
  }

  // True once the informer's copy of `key` is the store's newest one.
  bool informer_caught_up(const model::WorkspaceKey& key) {
    return kubetest::eventually([&] {
      kube::ObjectPtr cached = informer_->get(key.ns, key.name);
      kube::ObjectPtr newest = store_->object(key);
      // The cache decodes a fresh tree per read (kube/cache.h): the same
      // version reads as an equal object, not the same pointer.
      return cached && newest && *cached == *newest;
    });
  }

  int count(const std::string& verb_resource) {
    return kubetest::double_count(kube_, verb_resource);
  }

  static bool has_finalizer(const Json& object, const std::string& finalizer) {
    for (const Json& f : object["metadata"].value("finalizers", Json::array())) {
      if (f == finalizer) return true;
    }
    return false;
  }

  kubetest::KubeDouble kube_;
  std::shared_ptr<kube::Client> client_;
  std::unique_ptr<kube::Informer> informer_;
  std::unique_ptr<KubeStateStore> store_;
};

}  // namespace wsop::state::kubestore_test
