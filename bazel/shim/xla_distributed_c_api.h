/* A C API over XLA's distributed runtime (xla/pjrt/distributed/), part of ryft-xla-sys.
 *
 * XLA ships its distributed runtime (the coordination service, its client, and the key-value
 * store they share) as C++ only. This header is a small, C-ABI-clean layer over it, compiled
 * into the XLA core archive (`bazel/`, target `//:xla_core_archive`) by
 * `xla_distributed_c_api.cc`. Bindings are generated from it (`cargo xtask mlir-bindings`).
 *
 * Conventions, for every function below:
 * - Handles are opaque. Each `...Create` has exactly one matching `...Destroy`.
 * - A function that can fail returns `XlaDist_Error*`: NULL on success, otherwise an error the
 *   caller owns and releases with `XlaDist_ErrorDestroy`. Out-parameters are written only on
 *   success.
 * - Byte strings are passed as (pointer, length) pairs: they need no NUL terminator and may
 *   contain NUL bytes. A NULL pointer is accepted only with length 0.
 * - Strings returned to the caller are allocated by the library and released with
 *   `XlaDist_StringFree`; they are NUL-terminated for convenience, the length excludes it.
 * - Durations are in milliseconds. In an options struct, 0 keeps XLA's default; negative
 *   durations are rejected with XLA_DIST_ERROR_INVALID_ARGUMENT.
 * - No C++ exception crosses this interface.
 */

#ifndef RYFT_XLA_DISTRIBUTED_C_API_H_
#define RYFT_XLA_DISTRIBUTED_C_API_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The version of this C API. The major version changes when a function or struct changes
 * incompatibly; the minor version when something is added. `XlaDist_ApiVersion` reports the
 * version the linked library was compiled from. */
#define XLA_DIST_API_MAJOR 0
#define XLA_DIST_API_MINOR 1
#define XLA_DIST_API_VERSION ((XLA_DIST_API_MAJOR << 16) | XLA_DIST_API_MINOR)

#if defined(__GNUC__) || defined(__clang__)
#define XLA_DIST_EXPORT __attribute__((visibility("default")))
#else
#define XLA_DIST_EXPORT
#endif

/* Seen from C++, no function of this API throws. */
#ifdef __cplusplus
#define XLA_DIST_NOEXCEPT noexcept
#else
#define XLA_DIST_NOEXCEPT
#endif

/* The size of an options struct up to and including `last_field`: what a caller compiled against
 * this header sets in `struct_size`. A library of a later minor version reads only the fields
 * that fit in `struct_size`, so older callers keep working. */
#define XLA_DIST_STRUCT_SIZE(type, last_field) \
  (offsetof(type, last_field) + sizeof(((type*)0)->last_field))

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------ */
/* Errors and memory                                                                           */

/* An error: a code and a human-readable message. */
typedef struct XlaDist_Error XlaDist_Error;

/* The kind of failure. The values are those of absl::StatusCode (and google.rpc.Code), which
 * XLA uses; a code XLA adds later is reported as XLA_DIST_ERROR_UNKNOWN. */
typedef enum XlaDist_ErrorCode {
  XLA_DIST_ERROR_CANCELLED = 1,
  XLA_DIST_ERROR_UNKNOWN = 2,
  XLA_DIST_ERROR_INVALID_ARGUMENT = 3,
  XLA_DIST_ERROR_DEADLINE_EXCEEDED = 4,
  XLA_DIST_ERROR_NOT_FOUND = 5,
  XLA_DIST_ERROR_ALREADY_EXISTS = 6,
  XLA_DIST_ERROR_PERMISSION_DENIED = 7,
  XLA_DIST_ERROR_RESOURCE_EXHAUSTED = 8,
  XLA_DIST_ERROR_FAILED_PRECONDITION = 9,
  XLA_DIST_ERROR_ABORTED = 10,
  XLA_DIST_ERROR_OUT_OF_RANGE = 11,
  XLA_DIST_ERROR_UNIMPLEMENTED = 12,
  XLA_DIST_ERROR_INTERNAL = 13,
  XLA_DIST_ERROR_UNAVAILABLE = 14,
  XLA_DIST_ERROR_DATA_LOSS = 15,
  XLA_DIST_ERROR_UNAUTHENTICATED = 16
} XlaDist_ErrorCode;

/* Returns XLA_DIST_API_VERSION as the linked library was compiled: compare it with the header
 * a binding was generated from. */
XLA_DIST_EXPORT uint32_t XlaDist_ApiVersion(void) XLA_DIST_NOEXCEPT;

/* Returns the code of `error`, which must not be NULL. */
XLA_DIST_EXPORT XlaDist_ErrorCode XlaDist_ErrorGetCode(const XlaDist_Error* error) XLA_DIST_NOEXCEPT;

/* Returns the message of `error` (NUL-terminated, owned by the error, valid until the error is
 * destroyed) and, when `message_len` is not NULL, writes its length without the NUL. */
XLA_DIST_EXPORT const char* XlaDist_ErrorGetMessage(const XlaDist_Error* error,
                                                    size_t* message_len) XLA_DIST_NOEXCEPT;

/* Releases an error returned by any function of this API. NULL is accepted and ignored. */
XLA_DIST_EXPORT void XlaDist_ErrorDestroy(XlaDist_Error* error) XLA_DIST_NOEXCEPT;

/* Releases a string returned through an out-parameter of this API. NULL is accepted. */
XLA_DIST_EXPORT void XlaDist_StringFree(char* string) XLA_DIST_NOEXCEPT;

/* ------------------------------------------------------------------------------------------ */
/* Service: the coordination service that every client of a job connects to.                  */

typedef struct XlaDist_Service XlaDist_Service;

typedef struct XlaDist_ServiceOptions {
  /* XLA_DIST_SERVICE_OPTIONS_STRUCT_SIZE. */
  size_t struct_size;
  /* Where to listen, as gRPC spells it, e.g. "[::]:8476". Required. */
  const char* address;
  size_t address_len;
  /* How many nodes (processes) make up the job; each connects one client. Must be > 0. */
  int32_t num_nodes;
  /* How long without a heartbeat before the service declares a node dead. */
  int64_t heartbeat_timeout_ms;
  /* How long to wait for every node to connect before failing the job. */
  int64_t cluster_register_timeout_ms;
  /* How long to wait for every node to reach shutdown before failing it. */
  int64_t shutdown_timeout_ms;
} XlaDist_ServiceOptions;

#define XLA_DIST_SERVICE_OPTIONS_STRUCT_SIZE \
  XLA_DIST_STRUCT_SIZE(XlaDist_ServiceOptions, shutdown_timeout_ms)

/* Starts a service listening on `options->address` and writes its handle to `*service`. The
 * service runs on its own threads until it is shut down or destroyed. */
XLA_DIST_EXPORT XlaDist_Error* XlaDist_ServiceCreate(const XlaDist_ServiceOptions* options,
                                                     XlaDist_Service** service) XLA_DIST_NOEXCEPT;

/* Stops accepting requests and shuts the service down, waiting a few seconds for requests in
 * flight. Calling it again, or destroying the service afterwards, is allowed. NULL is ignored. */
XLA_DIST_EXPORT void XlaDist_ServiceShutdown(XlaDist_Service* service) XLA_DIST_NOEXCEPT;

/* Shuts the service down if it still runs, and releases it. NULL is ignored. */
XLA_DIST_EXPORT void XlaDist_ServiceDestroy(XlaDist_Service* service) XLA_DIST_NOEXCEPT;

/* ------------------------------------------------------------------------------------------ */
/* Client: one per node, connected to the service.                                             */

typedef struct XlaDist_Client XlaDist_Client;

/* Called, on a thread owned by XLA, when the client learns that the job has failed: the
 * service reported a failure (for instance another node stopped sending heartbeats) or the
 * service itself stopped answering. `error` is borrowed for the duration of the call. The
 * callback must not call back into the client that reported it. */
typedef void (*XlaDist_MissedHeartbeatCallback)(void* user_data, const XlaDist_Error* error);

typedef struct XlaDist_ClientOptions {
  /* XLA_DIST_CLIENT_OPTIONS_STRUCT_SIZE. */
  size_t struct_size;
  /* The service's address as a gRPC target, e.g. "dns:///host:8476" or "10.0.0.1:8476". */
  const char* address;
  size_t address_len;
  /* This node's index in [0, num_nodes). Must be unique within the job. */
  int32_t node_id;
  /* Timeout of the RPCs that have no timeout of their own. */
  int64_t rpc_timeout_ms;
  /* How long Connect keeps retrying the first connection. XLA's default (0) tries once. */
  int64_t init_timeout_ms;
  /* How long Shutdown waits for every node to reach shutdown. */
  int64_t shutdown_timeout_ms;
  /* How long without a heartbeat before the service declares this node dead. */
  int64_t heartbeat_timeout_ms;
  /* NULL keeps XLA's default reaction to a failed job: it terminates the process. */
  XlaDist_MissedHeartbeatCallback missed_heartbeat_callback;
  void* missed_heartbeat_user_data;
  /* false (XLA's default): destroying a connected client first shuts it down, which blocks
   * until every node shuts down or the shutdown timeout passes. true: destroy without that. */
  bool skip_shutdown_on_destroy;
  /* Compress the gRPC channel to the service. */
  bool use_compression;
  /* Let the job go on if this node fails (XLA's "recoverable" task). */
  bool recoverable;
} XlaDist_ClientOptions;

#define XLA_DIST_CLIENT_OPTIONS_STRUCT_SIZE \
  XLA_DIST_STRUCT_SIZE(XlaDist_ClientOptions, recoverable)

/* Creates a client for `options->address` and writes its handle to `*client`. Nothing is sent
 * until XlaDist_ClientConnect. */
XLA_DIST_EXPORT XlaDist_Error* XlaDist_ClientCreate(const XlaDist_ClientOptions* options,
                                                    XlaDist_Client** client) XLA_DIST_NOEXCEPT;

/* Connects to the service and blocks until every node of the job has connected (or the
 * service's registration timeout fails the job). Not thread-safe with respect to
 * XlaDist_ClientShutdown. */
XLA_DIST_EXPORT XlaDist_Error* XlaDist_ClientConnect(XlaDist_Client* client) XLA_DIST_NOEXCEPT;

/* Tells the service this node is done and blocks until every node has done the same or the
 * shutdown timeout passes. Not thread-safe with respect to XlaDist_ClientConnect. */
XLA_DIST_EXPORT XlaDist_Error* XlaDist_ClientShutdown(XlaDist_Client* client) XLA_DIST_NOEXCEPT;

/* Releases the client; see `skip_shutdown_on_destroy` for whether this blocks. NULL is
 * ignored. */
XLA_DIST_EXPORT void XlaDist_ClientDestroy(XlaDist_Client* client) XLA_DIST_NOEXCEPT;

/* The key-value store functions below are thread-safe. The store gives no ordering between
 * concurrent writers and readers of a key: order them with XlaDist_ClientWaitAtBarrier. */

/* Stores `value` under `key`. With `allow_overwrite` false, an existing key fails with
 * XLA_DIST_ERROR_ALREADY_EXISTS. */
XLA_DIST_EXPORT XlaDist_Error* XlaDist_ClientKeyValueSet(XlaDist_Client* client, const char* key,
                                                         size_t key_len, const char* value,
                                                         size_t value_len, bool allow_overwrite) XLA_DIST_NOEXCEPT;

/* Blocks until `key` exists or `timeout_ms` (>= 0) passes (XLA_DIST_ERROR_DEADLINE_EXCEEDED),
 * then writes a copy of its value to `*value` (free it with XlaDist_StringFree) and its length
 * to `*value_len`. */
XLA_DIST_EXPORT XlaDist_Error* XlaDist_ClientKeyValueGet(XlaDist_Client* client, const char* key,
                                                         size_t key_len, int64_t timeout_ms,
                                                         char** value, size_t* value_len) XLA_DIST_NOEXCEPT;

/* Like XlaDist_ClientKeyValueGet without waiting: a missing key fails at once with
 * XLA_DIST_ERROR_NOT_FOUND. */
XLA_DIST_EXPORT XlaDist_Error* XlaDist_ClientKeyValueTryGet(XlaDist_Client* client,
                                                            const char* key, size_t key_len,
                                                            char** value, size_t* value_len) XLA_DIST_NOEXCEPT;

/* Atomically adds `increment` to the integer stored under `key` (as decimal text, the way
 * XlaDist_ClientKeyValueSet would store it) and writes the new value to `*new_value`. A value
 * that is not an integer fails with XLA_DIST_ERROR_FAILED_PRECONDITION. */
XLA_DIST_EXPORT XlaDist_Error* XlaDist_ClientKeyValueIncrement(XlaDist_Client* client,
                                                               const char* key, size_t key_len,
                                                               int64_t increment,
                                                               int64_t* new_value) XLA_DIST_NOEXCEPT;

/* Deletes `key`; when `key` is a directory (a prefix of other keys), deletes every key under
 * it. */
XLA_DIST_EXPORT XlaDist_Error* XlaDist_ClientKeyValueDelete(XlaDist_Client* client,
                                                            const char* key, size_t key_len) XLA_DIST_NOEXCEPT;

/* The entries of a directory listing. */
typedef struct XlaDist_KeyValueList XlaDist_KeyValueList;

/* Lists, without waiting, every key-value pair whose key starts with `directory`, and writes
 * the list to `*entries` (release it with XlaDist_KeyValueListDestroy). An empty directory
 * gives an empty list, not an error. */
XLA_DIST_EXPORT XlaDist_Error* XlaDist_ClientKeyValueDirGet(XlaDist_Client* client,
                                                            const char* directory,
                                                            size_t directory_len,
                                                            XlaDist_KeyValueList** entries) XLA_DIST_NOEXCEPT;

/* Returns the number of entries of `entries`. */
XLA_DIST_EXPORT size_t XlaDist_KeyValueListSize(const XlaDist_KeyValueList* entries) XLA_DIST_NOEXCEPT;

/* Writes entry `index` of `entries`: pointers owned by the list (valid until it is destroyed,
 * NUL-terminated) and lengths. Returns false, writing nothing, when `index` is out of range. */
XLA_DIST_EXPORT bool XlaDist_KeyValueListGet(const XlaDist_KeyValueList* entries, size_t index,
                                             const char** key, size_t* key_len,
                                             const char** value, size_t* value_len) XLA_DIST_NOEXCEPT;

/* Releases a directory listing. NULL is ignored. */
XLA_DIST_EXPORT void XlaDist_KeyValueListDestroy(XlaDist_KeyValueList* entries) XLA_DIST_NOEXCEPT;

/* Blocks until every node of the job (or, when `node_ids` is not NULL, the `num_node_ids`
 * nodes it lists) has reached the barrier `barrier_id`, or `timeout_ms` (>= 0) passes. A
 * barrier id must not be reused within a job. */
XLA_DIST_EXPORT XlaDist_Error* XlaDist_ClientWaitAtBarrier(XlaDist_Client* client,
                                                           const char* barrier_id,
                                                           size_t barrier_id_len,
                                                           int64_t timeout_ms,
                                                           const int32_t* node_ids,
                                                           size_t num_node_ids) XLA_DIST_NOEXCEPT;

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* RYFT_XLA_DISTRIBUTED_C_API_H_ */
