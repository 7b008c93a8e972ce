/* End-to-end test of the distributed runtime C API, written in C on purpose: it proves the
 * header is usable from C. One process plays a whole job: a service and two clients (nodes 0
 * and 1) on two threads, talking over gRPC on localhost.
 *
 * Run with `bazel test //shim:xla_distributed_c_api_test` (see bazel/README.md). */

#include "xla_distributed_c_api.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NUM_NODES 2
#define TIMEOUT_MS 60000

static int failures = 0;

#define CHECK(cond)                                                   \
  do {                                                                \
    if (!(cond)) {                                                    \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
              #cond);                                                 \
      __atomic_add_fetch(&failures, 1, __ATOMIC_SEQ_CST);             \
    }                                                                 \
  } while (0)

/* Consumes `error`; true when it was NULL (success). */
static int ok(XlaDist_Error* error, const char* what) {
  if (error == NULL) return 1;
  fprintf(stderr, "%s failed: code %d: %s\n", what, (int)XlaDist_ErrorGetCode(error),
          XlaDist_ErrorGetMessage(error, NULL));
  XlaDist_ErrorDestroy(error);
  __atomic_add_fetch(&failures, 1, __ATOMIC_SEQ_CST);
  return 0;
}

/* Consumes `error`; true when it carries `code`. */
static int fails_with(XlaDist_Error* error, XlaDist_ErrorCode code) {
  int matches = error != NULL && XlaDist_ErrorGetCode(error) == code;
  XlaDist_ErrorDestroy(error);
  return matches;
}

static void on_job_failure(void* user_data, const XlaDist_Error* error) {
  (void)user_data;
  fprintf(stderr, "job failure reported: %s\n", XlaDist_ErrorGetMessage(error, NULL));
}

static char client_address[64];

static void* run_node(void* arg) {
  int32_t node_id = (int32_t)(intptr_t)arg;
  XlaDist_ClientOptions options;
  memset(&options, 0, sizeof options);
  options.struct_size = XLA_DIST_CLIENT_OPTIONS_STRUCT_SIZE;
  options.address = client_address;
  options.address_len = strlen(client_address);
  options.node_id = node_id;
  options.init_timeout_ms = TIMEOUT_MS;
  options.missed_heartbeat_callback = on_job_failure;

  XlaDist_Client* client = NULL;
  if (!ok(XlaDist_ClientCreate(&options, &client), "ClientCreate")) return NULL;
  if (!ok(XlaDist_ClientConnect(client), "ClientConnect")) return NULL;

  if (node_id == 0) {
    ok(XlaDist_ClientKeyValueSet(client, "greeting", 8, "hi\0there", 8, false), "Set greeting");
    ok(XlaDist_ClientKeyValueSet(client, "dir/a", 5, "1", 1, false), "Set dir/a");
    ok(XlaDist_ClientKeyValueSet(client, "dir/b", 5, "2", 1, false), "Set dir/b");
    ok(XlaDist_ClientKeyValueSet(client, "counter", 7, "40", 2, false), "Set counter");
    CHECK(fails_with(XlaDist_ClientKeyValueSet(client, "dir/a", 5, "x", 1, false),
                     XLA_DIST_ERROR_ALREADY_EXISTS));
    ok(XlaDist_ClientKeyValueSet(client, "dir/a", 5, "3", 1, true), "Overwrite dir/a");
  }
  ok(XlaDist_ClientWaitAtBarrier(client, "written", 7, TIMEOUT_MS, NULL, 0), "Barrier written");

  if (node_id == 1) {
    char* value = NULL;
    size_t value_len = 0;
    if (ok(XlaDist_ClientKeyValueGet(client, "greeting", 8, TIMEOUT_MS, &value, &value_len),
           "Get greeting")) {
      CHECK(value_len == 8 && memcmp(value, "hi\0there", 8) == 0 && value[8] == '\0');
      XlaDist_StringFree(value);
    }
    CHECK(fails_with(XlaDist_ClientKeyValueTryGet(client, "missing", 7, &value, &value_len),
                     XLA_DIST_ERROR_NOT_FOUND));
    int64_t counter = 0;
    if (ok(XlaDist_ClientKeyValueIncrement(client, "counter", 7, 2, &counter), "Increment")) {
      CHECK(counter == 42);
    }
    XlaDist_KeyValueList* entries = NULL;
    if (ok(XlaDist_ClientKeyValueDirGet(client, "dir/", 4, &entries), "DirGet")) {
      CHECK(XlaDist_KeyValueListSize(entries) == 2);
      const char* key = NULL;
      size_t key_len = 0;
      const char* entry_value = NULL;
      size_t entry_value_len = 0;
      for (size_t i = 0; i < XlaDist_KeyValueListSize(entries); ++i) {
        CHECK(XlaDist_KeyValueListGet(entries, i, &key, &key_len, &entry_value,
                                      &entry_value_len));
        if (key_len == 5 && memcmp(key, "dir/a", 5) == 0) {
          CHECK(entry_value_len == 1 && entry_value[0] == '3');
        }
      }
      CHECK(!XlaDist_KeyValueListGet(entries, 2, &key, &key_len, &entry_value,
                                     &entry_value_len));
      XlaDist_KeyValueListDestroy(entries);
    }
    ok(XlaDist_ClientKeyValueDelete(client, "dir/", 4), "Delete dir/");
    if (ok(XlaDist_ClientKeyValueDirGet(client, "dir/", 4, &entries), "DirGet after delete")) {
      CHECK(XlaDist_KeyValueListSize(entries) == 0);
      XlaDist_KeyValueListDestroy(entries);
    }
  }
  const int32_t both[NUM_NODES] = {0, 1};
  ok(XlaDist_ClientWaitAtBarrier(client, "checked", 7, TIMEOUT_MS, both, NUM_NODES),
     "Barrier checked");

  ok(XlaDist_ClientShutdown(client), "ClientShutdown");
  XlaDist_ClientDestroy(client);
  return NULL;
}

int main(void) {
  CHECK(XlaDist_ApiVersion() == XLA_DIST_API_VERSION);

  /* Invalid arguments are reported, not crashed on. */
  XlaDist_ServiceOptions bad;
  memset(&bad, 0, sizeof bad);
  XlaDist_Service* service = NULL;
  CHECK(fails_with(XlaDist_ServiceCreate(&bad, &service), XLA_DIST_ERROR_INVALID_ARGUMENT));
  CHECK(fails_with(XlaDist_ServiceCreate(NULL, &service), XLA_DIST_ERROR_INVALID_ARGUMENT));

  /* A port unlikely to collide with another run of this test on the same machine. */
  int port = 20000 + (int)(getpid() % 20000);
  char service_address[64];
  snprintf(service_address, sizeof service_address, "[::]:%d", port);
  snprintf(client_address, sizeof client_address, "localhost:%d", port);

  XlaDist_ServiceOptions options;
  memset(&options, 0, sizeof options);
  options.struct_size = XLA_DIST_SERVICE_OPTIONS_STRUCT_SIZE;
  options.address = service_address;
  options.address_len = strlen(service_address);
  options.num_nodes = NUM_NODES;
  if (!ok(XlaDist_ServiceCreate(&options, &service), "ServiceCreate")) return 1;

  pthread_t threads[NUM_NODES];
  for (intptr_t i = 0; i < NUM_NODES; ++i) {
    pthread_create(&threads[i], NULL, run_node, (void*)i);
  }
  for (int i = 0; i < NUM_NODES; ++i) {
    pthread_join(threads[i], NULL);
  }

  XlaDist_ServiceShutdown(service);
  XlaDist_ServiceShutdown(service); /* idempotent */
  XlaDist_ServiceDestroy(service);

  if (failures != 0) {
    fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  printf("PASS\n");
  return 0;
}
