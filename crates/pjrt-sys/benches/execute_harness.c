/* The C baseline of the execute-latency benchmark (benches/execute_latency.rs compiles and runs
 * it against the same plugin, with the release set's pjrt_c_api.h on the include path).
 *
 * usage: execute_harness PLUGIN ITERATIONS BATCHES
 * prints: load_init_ns=<n> then one line per batch: batch_ns_per_call=<n>
 *
 * Each call does what the Rust side does: execute f32[4] add on two resident buffers, await the
 * completion event, destroy it and the output buffer. */

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xla/pjrt/c/pjrt_c_api.h"

static const PJRT_Api* api;

static long long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void check(PJRT_Error* error, const char* what) {
  if (error == NULL) return;
  PJRT_Error_Message_Args message = {.struct_size = PJRT_Error_Message_Args_STRUCT_SIZE, .error = error};
  api->PJRT_Error_Message(&message);
  fprintf(stderr, "%s failed: %.*s\n", what, (int)message.message_size, message.message);
  exit(1);
}

static void await_and_destroy(PJRT_Event* event) {
  PJRT_Event_Await_Args wait = {.struct_size = PJRT_Event_Await_Args_STRUCT_SIZE, .event = event};
  check(api->PJRT_Event_Await(&wait), "PJRT_Event_Await");
  PJRT_Event_Destroy_Args destroy = {.struct_size = PJRT_Event_Destroy_Args_STRUCT_SIZE, .event = event};
  api->PJRT_Event_Destroy(&destroy);
}

static PJRT_Buffer* upload(PJRT_Client* client, PJRT_Device* device, const float* data) {
  int64_t dims[1] = {4};
  PJRT_Client_BufferFromHostBuffer_Args args = {
      .struct_size = PJRT_Client_BufferFromHostBuffer_Args_STRUCT_SIZE,
      .client = client,
      .data = data,
      .type = PJRT_Buffer_Type_F32,
      .dims = dims,
      .num_dims = 1,
      .host_buffer_semantics = PJRT_HostBufferSemantics_kImmutableUntilTransferCompletes,
      .device = device,
  };
  check(api->PJRT_Client_BufferFromHostBuffer(&args), "PJRT_Client_BufferFromHostBuffer");
  await_and_destroy(args.done_with_host_buffer);
  return args.buffer;
}

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s PLUGIN ITERATIONS BATCHES\n", argv[0]);
    return 2;
  }
  long iterations = atol(argv[2]), batches = atol(argv[3]);

  long long start = now_ns();
  void* library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (library == NULL) {
    fprintf(stderr, "dlopen: %s\n", dlerror());
    return 1;
  }
  const PJRT_Api* (*get_api)(void) = (const PJRT_Api* (*)(void))dlsym(library, "GetPjrtApi");
  api = get_api();
  PJRT_Plugin_Initialize_Args init = {.struct_size = PJRT_Plugin_Initialize_Args_STRUCT_SIZE};
  check(api->PJRT_Plugin_Initialize(&init), "PJRT_Plugin_Initialize");
  printf("load_init_ns=%lld\n", now_ns() - start);

  PJRT_Client_Create_Args create = {.struct_size = PJRT_Client_Create_Args_STRUCT_SIZE};
  check(api->PJRT_Client_Create(&create), "PJRT_Client_Create");
  PJRT_Client_AddressableDevices_Args devices = {.struct_size = PJRT_Client_AddressableDevices_Args_STRUCT_SIZE,
                                                 .client = create.client};
  check(api->PJRT_Client_AddressableDevices(&devices), "PJRT_Client_AddressableDevices");
  PJRT_Device* device = devices.addressable_devices[0];

  const char* code =
      "func.func @main(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {\n"
      "  %0 = stablehlo.add %a, %b : tensor<4xf32>\n"
      "  return %0 : tensor<4xf32>\n"
      "}\n";
  static const char options[] = {0x1a, 0x04, 0x20, 0x01, 0x28, 0x01};
  PJRT_Program program = {.struct_size = PJRT_Program_STRUCT_SIZE,
                          .code = (char*)code,
                          .code_size = strlen(code),
                          .format = "mlir",
                          .format_size = 4};
  PJRT_Client_Compile_Args compile = {.struct_size = PJRT_Client_Compile_Args_STRUCT_SIZE,
                                      .client = create.client,
                                      .program = &program,
                                      .compile_options = options,
                                      .compile_options_size = sizeof options};
  check(api->PJRT_Client_Compile(&compile), "PJRT_Client_Compile");

  float a[4] = {1, 2, 3, 4}, b[4] = {10, 20, 30, 40};
  PJRT_Buffer* inputs[2] = {upload(create.client, device, a), upload(create.client, device, b)};
  PJRT_Buffer* const* argument_lists[1] = {inputs};
  PJRT_ExecuteOptions execute_options = {.struct_size = PJRT_ExecuteOptions_STRUCT_SIZE};
  int64_t keep[2] = {0, 1};
  execute_options.non_donatable_input_indices = keep;
  execute_options.num_non_donatable_input_indices = 2;

  for (long batch = -1; batch < batches; batch++) { /* batch -1 warms up */
    long long begin = now_ns();
    for (long i = 0; i < iterations; i++) {
      PJRT_Buffer* outputs[1] = {NULL};
      PJRT_Buffer** output_lists[1] = {outputs};
      PJRT_Event* done[1] = {NULL};
      PJRT_LoadedExecutable_Execute_Args execute = {.struct_size = PJRT_LoadedExecutable_Execute_Args_STRUCT_SIZE,
                                                    .executable = compile.executable,
                                                    .options = &execute_options,
                                                    .argument_lists = argument_lists,
                                                    .num_devices = 1,
                                                    .num_args = 2,
                                                    .output_lists = output_lists,
                                                    .device_complete_events = done,
                                                    .execute_device = device};
      check(api->PJRT_LoadedExecutable_Execute(&execute), "PJRT_LoadedExecutable_Execute");
      await_and_destroy(done[0]);
      PJRT_Buffer_Destroy_Args destroy = {.struct_size = PJRT_Buffer_Destroy_Args_STRUCT_SIZE, .buffer = outputs[0]};
      check(api->PJRT_Buffer_Destroy(&destroy), "PJRT_Buffer_Destroy");
    }
    if (batch >= 0) printf("batch_ns_per_call=%lld\n", (now_ns() - begin) / iterations);
  }
  return 0;
}
