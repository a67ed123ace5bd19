// The cpp-runtime handle of the reference cache: a torchbind class that mirrors
// pytest_trtcache/reference/handle.py (the python handle's semantics are authoritative).
//
// Two states. Pending: no live cache; bytes from deserialize() wait in pending_.
// Materialized: cache_ is a live KernelCache; deserialize() writes through.
// materialize() moves from the first to the second once, under the mutex, draining
// the pending bytes; a failed drain leaves the handle pending with its bytes intact.
// def_pickle carries (path, serialize()) in every state and loads pending.
//
// Build variants (the bug zoo, see mutants/catalog.py), one torchbind namespace each:
//   TRTCACHE_MUTANT_SERIALIZE_EMPTY_PENDING   serialize() is empty before materialization
//   TRTCACHE_MUTANT_PICKLE_PATH_ONLY          def_pickle carries only the path
//   TRTCACHE_MUTANT_DESERIALIZE_DROPS_PENDING deserialize() before materialization drops bytes
#include <ATen/ATen.h>
#include <torch/custom_class.h>
#include <torch/library.h>

#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>

#include "kernel_cache.h"

#ifndef TRTCACHE_NS
#define TRTCACHE_NS trtcache_ref
#endif

// TORCH_LIBRARY pastes its namespace argument; expand TRTCACHE_NS first.
#define TRTCACHE_LIBRARY(ns, m) TORCH_LIBRARY(ns, m)

namespace TRTCACHE_NS {

using trtcache::kernels::KernelCache;

// The bytes of a uint8 tensor of any layout or device; other dtypes are refused (H8).
inline std::string tensor_bytes(const at::Tensor& data, const char* what) {
  if (!data.defined()) {
    return std::string();
  }
  TORCH_CHECK_TYPE(
      data.scalar_type() == at::kByte,
      what, " expects a uint8 tensor, got dtype torch.", c10::getDtypeNames(data.scalar_type()).first,
      "; reinterpreting its memory would corrupt the cache");
  at::Tensor flat = data.detach().cpu().contiguous();
  return std::string(reinterpret_cast<const char*>(flat.data_ptr<uint8_t>()), static_cast<size_t>(flat.numel()));
}

inline at::Tensor bytes_tensor(const std::string& data) {
  at::Tensor out = at::empty({static_cast<int64_t>(data.size())}, at::TensorOptions().dtype(at::kByte));
  if (!data.empty()) {
    std::memcpy(out.data_ptr<uint8_t>(), data.data(), data.size());
  }
  return out;
}

class RuntimeCacheHandle : public torch::CustomClassHolder {
 public:
  explicit RuntimeCacheHandle(std::string path) : path_(std::move(path)) {}

  std::string path() {
    std::lock_guard<std::mutex> guard(mutex_);
    return path_;
  }

  void set_path(std::string path) {
    std::lock_guard<std::mutex> guard(mutex_);
    path_ = std::move(path);
  }

  // Live bytes when materialized, pending bytes otherwise, empty when neither (H9).
  at::Tensor serialize() {
    std::lock_guard<std::mutex> guard(mutex_);
    return bytes_tensor(blob_unlocked());
  }

  void deserialize(at::Tensor data) {
    std::string blob = tensor_bytes(data, "deserialize()");
    if (blob.empty()) {
      return; // H4: empty is a no-op in every state
    }
    std::lock_guard<std::mutex> guard(mutex_);
    if (!cache_) {
#ifdef TRTCACHE_MUTANT_DESERIALIZE_DROPS_PENDING
      return; // the bug: bytes handed over before materialization are lost
#else
      pending_ = std::move(blob); // replaces what was pending, as the python handle does
#endif
    } else {
      cache_->deserialize(blob); // validates first: a corrupt blob changes nothing
    }
  }

  bool has_cache() {
    std::lock_guard<std::mutex> guard(mutex_);
    return cache_ != nullptr;
  }

  // Create the live cache once and drain the pending bytes into it (H2, H3). Like
  // handle.py's ensure_materialized, a corrupt pending blob must not stop the engine:
  // the cache starts cold (S6) and the reason is returned, for the Python side to log
  // (a warning raised from inside a torchbind call crashed torch 2.11 on Python 3.12).
  // Returns "" when nothing was discarded.
  std::string materialize() {
    std::lock_guard<std::mutex> guard(mutex_);
    if (cache_) {
      return std::string();
    }
    auto cache = std::make_unique<KernelCache>();
    std::string discarded, error;
    if (!pending_.empty() && !cache->try_deserialize(pending_, error)) {
      discarded = "runtime cache '" + path_ + "': discarding " + std::to_string(pending_.size()) +
          " unreadable bytes, starting cold: " + error;
    }
    cache_ = std::move(cache);
    pending_.clear();
    return discarded;
  }

  // What an engine's forward does: remember a compiled kernel in the live cache.
  void add_entry(std::string key, at::Tensor value) {
    std::string bytes = tensor_bytes(value, "add_entry()");
    std::lock_guard<std::mutex> guard(mutex_);
    TORCH_CHECK(cache_ != nullptr, "add_entry() needs a live cache: call materialize() first (handle path '", path_, "')");
    cache_->add_entry(key, bytes);
  }

  // What def_pickle carries: (path, serialize()), read under one lock.
  std::tuple<std::string, at::Tensor> state() {
    std::lock_guard<std::mutex> guard(mutex_);
    return std::make_tuple(path_, bytes_tensor(blob_unlocked()));
  }

  // White-box accessor for tests: the stashed bytes, empty when none.
  at::Tensor pending_bytes() {
    std::lock_guard<std::mutex> guard(mutex_);
    return bytes_tensor(pending_);
  }

  // A loaded pickle: pending, holding `bytes` (empty means none), no live cache.
  static c10::intrusive_ptr<RuntimeCacheHandle> loaded(std::string path, const at::Tensor& bytes) {
    auto handle = c10::make_intrusive<RuntimeCacheHandle>(std::move(path));
    handle->pending_ = tensor_bytes(bytes, "__setstate__()");
    return handle;
  }

 private:
  std::string blob_unlocked() const {
    if (cache_) {
      return cache_->serialize();
    }
#ifdef TRTCACHE_MUTANT_SERIALIZE_EMPTY_PENDING
    return std::string(); // the bug (cpp handle before PR #4368): nothing until materialized
#else
    return pending_;
#endif
  }

  std::mutex mutex_;
  std::string path_;
  std::unique_ptr<KernelCache> cache_;
  std::string pending_; // empty: nothing pending
};

} // namespace TRTCACHE_NS

TRTCACHE_LIBRARY(TRTCACHE_NS, m) {
  using Handle = TRTCACHE_NS::RuntimeCacheHandle;
  m.class_<Handle>("RuntimeCacheHandle")
      .def(torch::init<std::string>(), "", {torch::arg("path") = std::string()})
      .def_property("path", &Handle::path, &Handle::set_path)
      .def("serialize", &Handle::serialize)
      .def("deserialize", &Handle::deserialize)
      .def("has_cache", &Handle::has_cache)
      .def("materialize", &Handle::materialize)
      .def("add_entry", &Handle::add_entry)
      .def("pending_bytes", &Handle::pending_bytes)
#ifdef TRTCACHE_MUTANT_PICKLE_PATH_ONLY
      // the bug (cpp handle before PR #4368): the bytes never cross the pickle
      .def_pickle(
          [](const c10::intrusive_ptr<Handle>& self) -> std::string { return self->path(); },
          [](std::string path) -> c10::intrusive_ptr<Handle> { return c10::make_intrusive<Handle>(std::move(path)); });
#else
      .def_pickle(
          [](const c10::intrusive_ptr<Handle>& self) -> std::tuple<std::string, at::Tensor> {
            return self->state();
          },
          [](std::tuple<std::string, at::Tensor> state) -> c10::intrusive_ptr<Handle> {
            return Handle::loaded(std::move(std::get<0>(state)), std::get<1>(state));
          });
#endif
}
