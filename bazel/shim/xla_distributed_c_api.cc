// The C API of xla_distributed_c_api.h, implemented over XLA's C++ distributed runtime
// (xla/pjrt/distributed/{distributed,client,service}.h).
//
// Every exported function is `noexcept` and runs its body through `Guarded`, which turns a C++
// exception (in practice std::bad_alloc from a string copy) into an XlaDist_Error when the code
// is compiled with exceptions; `noexcept` makes anything else terminate instead of unwinding
// into C or Rust frames, which would be undefined behaviour.

#include "xla_distributed_c_api.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "xla/pjrt/distributed/client.h"
#include "xla/pjrt/distributed/distributed.h"
#include "xla/pjrt/distributed/service.h"

#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
#define XLA_DIST_HAVE_EXCEPTIONS 1
#else
#define XLA_DIST_HAVE_EXCEPTIONS 0
#endif

// The opaque types of the header. Their layout is private to this file.
struct XlaDist_Error {
  XlaDist_ErrorCode code;
  std::string message;
  // The one preallocated error returned when allocating an error fails: never freed.
  bool is_static = false;
};

struct XlaDist_Service {
  std::unique_ptr<xla::DistributedRuntimeService> service;
};

struct XlaDist_Client {
  std::shared_ptr<xla::DistributedRuntimeClient> client;
};

struct XlaDist_KeyValueList {
  std::vector<std::pair<std::string, std::string>> entries;
};

namespace {

// Reported when even the error object cannot be allocated. Built at load time, when memory is
// available; XlaDist_ErrorDestroy recognises it and leaves it alone.
XlaDist_Error kOutOfMemory{XLA_DIST_ERROR_RESOURCE_EXHAUSTED,
                           "out of memory in the XLA distributed runtime C API", true};

XlaDist_Error* MakeError(XlaDist_ErrorCode code, absl::string_view message) {
#if XLA_DIST_HAVE_EXCEPTIONS
  try {
#endif
    auto* error = new (std::nothrow) XlaDist_Error{code, std::string(message)};
    return error != nullptr ? error : &kOutOfMemory;
#if XLA_DIST_HAVE_EXCEPTIONS
  } catch (...) {
    return &kOutOfMemory;
  }
#endif
}

XlaDist_Error* InvalidArgument(absl::string_view message) {
  return MakeError(XLA_DIST_ERROR_INVALID_ARGUMENT, message);
}

// absl::StatusCode and XlaDist_ErrorCode share their numbering (google.rpc.Code); a code outside
// the range the header knows becomes UNKNOWN so C callers never see an undeclared value.
XlaDist_ErrorCode ToErrorCode(absl::StatusCode code) {
  int value = static_cast<int>(code);
  if (value >= XLA_DIST_ERROR_CANCELLED && value <= XLA_DIST_ERROR_UNAUTHENTICATED) {
    return static_cast<XlaDist_ErrorCode>(value);
  }
  return XLA_DIST_ERROR_UNKNOWN;
}

// NULL for an OK status, as the header promises.
XlaDist_Error* FromStatus(const absl::Status& status) {
  if (status.ok()) {
    return nullptr;
  }
  return MakeError(ToErrorCode(status.code()), status.message());
}

template <typename Body>
XlaDist_Error* Guarded(Body&& body) noexcept {
#if XLA_DIST_HAVE_EXCEPTIONS
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return &kOutOfMemory;
  } catch (const std::exception& e) {
    return MakeError(XLA_DIST_ERROR_INTERNAL, e.what());
  } catch (...) {
    return MakeError(XLA_DIST_ERROR_INTERNAL, "unknown C++ exception");
  }
#else
  return body();
#endif
}

// A (pointer, length) argument as a string_view; NULL is only valid with length 0.
bool ToView(const char* data, size_t len, absl::string_view* out) {
  if (data == nullptr && len != 0) {
    return false;
  }
  *out = data == nullptr ? absl::string_view() : absl::string_view(data, len);
  return true;
}

// A duration field of an options struct: 0 keeps XLA's default, negative is rejected.
bool ApplyOptionalDuration(int64_t ms, absl::Duration* field) {
  if (ms < 0) {
    return false;
  }
  if (ms > 0) {
    *field = absl::Milliseconds(ms);
  }
  return true;
}

// A copy of `bytes` in malloc'd memory, NUL-terminated, for XlaDist_StringFree.
XlaDist_Error* CopyOut(const std::string& bytes, char** out, size_t* out_len) {
  char* copy = static_cast<char*>(std::malloc(bytes.size() + 1));
  if (copy == nullptr) {
    return &kOutOfMemory;
  }
  if (!bytes.empty()) {
    std::memcpy(copy, bytes.data(), bytes.size());
  }
  copy[bytes.size()] = '\0';
  *out = copy;
  *out_len = bytes.size();
  return nullptr;
}

XlaDist_Error* NullArgument(const char* what) {
  return InvalidArgument(std::string(what) + " must not be NULL");
}

}  // namespace

extern "C" {

uint32_t XlaDist_ApiVersion(void) noexcept { return XLA_DIST_API_VERSION; }

XlaDist_ErrorCode XlaDist_ErrorGetCode(const XlaDist_Error* error) noexcept {
  return error != nullptr ? error->code : XLA_DIST_ERROR_INVALID_ARGUMENT;
}

const char* XlaDist_ErrorGetMessage(const XlaDist_Error* error,
                                    size_t* message_len) noexcept {
  if (error == nullptr) {
    if (message_len != nullptr) {
      *message_len = 0;
    }
    return "";
  }
  if (message_len != nullptr) {
    *message_len = error->message.size();
  }
  return error->message.c_str();
}

void XlaDist_ErrorDestroy(XlaDist_Error* error) noexcept {
  if (error != nullptr && !error->is_static) {
    delete error;
  }
}

void XlaDist_StringFree(char* string) noexcept { std::free(string); }

// --- Service -----------------------------------------------------------------------------------

XlaDist_Error* XlaDist_ServiceCreate(const XlaDist_ServiceOptions* options,
                                     XlaDist_Service** service) noexcept {
  return Guarded([&]() -> XlaDist_Error* {
    if (options == nullptr) return NullArgument("options");
    if (service == nullptr) return NullArgument("service");
    if (options->struct_size < XLA_DIST_SERVICE_OPTIONS_STRUCT_SIZE) {
      return InvalidArgument(
          "XlaDist_ServiceOptions.struct_size is smaller than XLA_DIST_SERVICE_OPTIONS_STRUCT_SIZE");
    }
    absl::string_view address;
    if (!ToView(options->address, options->address_len, &address) || address.empty()) {
      return InvalidArgument("XlaDist_ServiceOptions.address is required");
    }
    if (options->num_nodes <= 0) {
      return InvalidArgument("XlaDist_ServiceOptions.num_nodes must be > 0");
    }
    xla::CoordinationServiceImpl::Options service_options;
    service_options.num_nodes = options->num_nodes;
    if (!ApplyOptionalDuration(options->heartbeat_timeout_ms,
                               &service_options.heartbeat_timeout) ||
        !ApplyOptionalDuration(options->cluster_register_timeout_ms,
                               &service_options.cluster_register_timeout) ||
        !ApplyOptionalDuration(options->shutdown_timeout_ms,
                               &service_options.shutdown_timeout)) {
      return InvalidArgument("XlaDist_ServiceOptions durations must not be negative");
    }
    absl::StatusOr<std::unique_ptr<xla::DistributedRuntimeService>> started =
        xla::GetDistributedRuntimeService(std::string(address), service_options);
    if (!started.ok()) return FromStatus(started.status());
    auto* handle = new XlaDist_Service{*std::move(started)};
    *service = handle;
    return nullptr;
  });
}

void XlaDist_ServiceShutdown(XlaDist_Service* service) noexcept {
  if (service != nullptr && service->service != nullptr) {
    service->service->Shutdown();
  }
}

void XlaDist_ServiceDestroy(XlaDist_Service* service) noexcept {
  // DistributedRuntimeService's destructor shuts it down if that has not happened yet.
  delete service;
}

// --- Client ------------------------------------------------------------------------------------

XlaDist_Error* XlaDist_ClientCreate(const XlaDist_ClientOptions* options,
                                    XlaDist_Client** client) noexcept {
  return Guarded([&]() -> XlaDist_Error* {
    if (options == nullptr) return NullArgument("options");
    if (client == nullptr) return NullArgument("client");
    if (options->struct_size < XLA_DIST_CLIENT_OPTIONS_STRUCT_SIZE) {
      return InvalidArgument(
          "XlaDist_ClientOptions.struct_size is smaller than XLA_DIST_CLIENT_OPTIONS_STRUCT_SIZE");
    }
    absl::string_view address;
    if (!ToView(options->address, options->address_len, &address) || address.empty()) {
      return InvalidArgument("XlaDist_ClientOptions.address is required");
    }
    if (options->node_id < 0) {
      return InvalidArgument("XlaDist_ClientOptions.node_id must be >= 0");
    }
    xla::DistributedRuntimeClient::Options client_options;
    client_options.node_id = options->node_id;
    if (!ApplyOptionalDuration(options->rpc_timeout_ms, &client_options.rpc_timeout) ||
        !ApplyOptionalDuration(options->init_timeout_ms, &client_options.init_timeout) ||
        !ApplyOptionalDuration(options->shutdown_timeout_ms, &client_options.shutdown_timeout) ||
        !ApplyOptionalDuration(options->heartbeat_timeout_ms,
                               &client_options.heartbeat_timeout)) {
      return InvalidArgument("XlaDist_ClientOptions durations must not be negative");
    }
    client_options.shutdown_on_destruction = !options->skip_shutdown_on_destroy;
    client_options.recoverable = options->recoverable;
    if (options->missed_heartbeat_callback != nullptr) {
      XlaDist_MissedHeartbeatCallback callback = options->missed_heartbeat_callback;
      void* user_data = options->missed_heartbeat_user_data;
      // Runs on an XLA thread. The error lives on this frame: the callback only borrows it.
      client_options.missed_heartbeat_callback = [callback,
                                                  user_data](const absl::Status& status) {
        XlaDist_Error error{ToErrorCode(status.code()), std::string(status.message())};
        callback(user_data, &error);
      };
    }
    std::shared_ptr<xla::DistributedRuntimeClient> created = xla::GetDistributedRuntimeClient(
        std::string(address), client_options, options->use_compression);
    if (created == nullptr) {
      return MakeError(XLA_DIST_ERROR_INTERNAL, "XLA returned no distributed runtime client");
    }
    // XLA's client only logs a failure to create its coordination agent and would dereference
    // the null agent on the first call; report it here instead.
    auto agent = created->GetCoordinationServiceAgent();
    if (agent.ok() && *agent == nullptr) {
      return MakeError(XLA_DIST_ERROR_INTERNAL,
                       "XLA could not create the coordination service agent (see XLA's log)");
    }
    *client = new XlaDist_Client{std::move(created)};
    return nullptr;
  });
}

XlaDist_Error* XlaDist_ClientConnect(XlaDist_Client* client) noexcept {
  return Guarded([&]() -> XlaDist_Error* {
    if (client == nullptr) return NullArgument("client");
    return FromStatus(client->client->Connect());
  });
}

XlaDist_Error* XlaDist_ClientShutdown(XlaDist_Client* client) noexcept {
  return Guarded([&]() -> XlaDist_Error* {
    if (client == nullptr) return NullArgument("client");
    return FromStatus(client->client->Shutdown());
  });
}

void XlaDist_ClientDestroy(XlaDist_Client* client) noexcept { delete client; }

XlaDist_Error* XlaDist_ClientKeyValueSet(XlaDist_Client* client, const char* key, size_t key_len,
                                         const char* value, size_t value_len,
                                         bool allow_overwrite) noexcept {
  return Guarded([&]() -> XlaDist_Error* {
    if (client == nullptr) return NullArgument("client");
    absl::string_view key_view;
    absl::string_view value_view;
    if (!ToView(key, key_len, &key_view)) return NullArgument("key");
    if (!ToView(value, value_len, &value_view)) return NullArgument("value");
    return FromStatus(client->client->KeyValueSet(key_view, value_view, allow_overwrite));
  });
}

XlaDist_Error* XlaDist_ClientKeyValueGet(XlaDist_Client* client, const char* key, size_t key_len,
                                         int64_t timeout_ms, char** value,
                                         size_t* value_len) noexcept {
  return Guarded([&]() -> XlaDist_Error* {
    if (client == nullptr) return NullArgument("client");
    if (value == nullptr || value_len == nullptr) return NullArgument("value and value_len");
    if (timeout_ms < 0) return InvalidArgument("timeout_ms must not be negative");
    absl::string_view key_view;
    if (!ToView(key, key_len, &key_view)) return NullArgument("key");
    absl::StatusOr<std::string> result =
        client->client->BlockingKeyValueGet(key_view, absl::Milliseconds(timeout_ms));
    if (!result.ok()) return FromStatus(result.status());
    return CopyOut(*result, value, value_len);
  });
}

XlaDist_Error* XlaDist_ClientKeyValueTryGet(XlaDist_Client* client, const char* key,
                                            size_t key_len, char** value,
                                            size_t* value_len) noexcept {
  return Guarded([&]() -> XlaDist_Error* {
    if (client == nullptr) return NullArgument("client");
    if (value == nullptr || value_len == nullptr) return NullArgument("value and value_len");
    absl::string_view key_view;
    if (!ToView(key, key_len, &key_view)) return NullArgument("key");
    absl::StatusOr<std::string> result = client->client->KeyValueTryGet(key_view);
    if (!result.ok()) return FromStatus(result.status());
    return CopyOut(*result, value, value_len);
  });
}

XlaDist_Error* XlaDist_ClientKeyValueIncrement(XlaDist_Client* client, const char* key,
                                               size_t key_len, int64_t increment,
                                               int64_t* new_value) noexcept {
  return Guarded([&]() -> XlaDist_Error* {
    if (client == nullptr) return NullArgument("client");
    if (new_value == nullptr) return NullArgument("new_value");
    absl::string_view key_view;
    if (!ToView(key, key_len, &key_view)) return NullArgument("key");
    absl::StatusOr<int64_t> result = client->client->KeyValueIncrement(key_view, increment);
    if (!result.ok()) return FromStatus(result.status());
    *new_value = *result;
    return nullptr;
  });
}

XlaDist_Error* XlaDist_ClientKeyValueDelete(XlaDist_Client* client, const char* key,
                                            size_t key_len) noexcept {
  return Guarded([&]() -> XlaDist_Error* {
    if (client == nullptr) return NullArgument("client");
    absl::string_view key_view;
    if (!ToView(key, key_len, &key_view)) return NullArgument("key");
    return FromStatus(client->client->KeyValueDelete(key_view));
  });
}

XlaDist_Error* XlaDist_ClientKeyValueDirGet(XlaDist_Client* client, const char* directory,
                                            size_t directory_len,
                                            XlaDist_KeyValueList** entries) noexcept {
  return Guarded([&]() -> XlaDist_Error* {
    if (client == nullptr) return NullArgument("client");
    if (entries == nullptr) return NullArgument("entries");
    absl::string_view directory_view;
    if (!ToView(directory, directory_len, &directory_view)) return NullArgument("directory");
    absl::StatusOr<std::vector<std::pair<std::string, std::string>>> result =
        client->client->KeyValueDirGet(directory_view);
    if (!result.ok()) return FromStatus(result.status());
    *entries = new XlaDist_KeyValueList{*std::move(result)};
    return nullptr;
  });
}

size_t XlaDist_KeyValueListSize(const XlaDist_KeyValueList* entries) noexcept {
  return entries != nullptr ? entries->entries.size() : 0;
}

bool XlaDist_KeyValueListGet(const XlaDist_KeyValueList* entries, size_t index, const char** key,
                             size_t* key_len, const char** value, size_t* value_len) noexcept {
  if (entries == nullptr || index >= entries->entries.size()) {
    return false;
  }
  const std::pair<std::string, std::string>& entry = entries->entries[index];
  if (key != nullptr) *key = entry.first.c_str();
  if (key_len != nullptr) *key_len = entry.first.size();
  if (value != nullptr) *value = entry.second.c_str();
  if (value_len != nullptr) *value_len = entry.second.size();
  return true;
}

void XlaDist_KeyValueListDestroy(XlaDist_KeyValueList* entries) noexcept { delete entries; }

XlaDist_Error* XlaDist_ClientWaitAtBarrier(XlaDist_Client* client, const char* barrier_id,
                                           size_t barrier_id_len, int64_t timeout_ms,
                                           const int32_t* node_ids,
                                           size_t num_node_ids) noexcept {
  return Guarded([&]() -> XlaDist_Error* {
    if (client == nullptr) return NullArgument("client");
    if (timeout_ms < 0) return InvalidArgument("timeout_ms must not be negative");
    absl::string_view barrier_view;
    if (!ToView(barrier_id, barrier_id_len, &barrier_view) || barrier_view.empty()) {
      return InvalidArgument("barrier_id is required");
    }
    if (node_ids == nullptr && num_node_ids != 0) return NullArgument("node_ids");
    // No list means every node of the job, which XLA spells std::nullopt.
    std::optional<absl::Span<const int32_t>> nodes;
    if (node_ids != nullptr) {
      nodes = absl::Span<const int32_t>(node_ids, num_node_ids);
    }
    return FromStatus(client->client->WaitAtBarrier(std::string(barrier_view),
                                                    absl::Milliseconds(timeout_ms), nodes));
  });
}

}  // extern "C"
