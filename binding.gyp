{
  "target_defaults": {
    "cflags_c": ["-std=gnu11", "-O2", "-g", "-Wall", "-Wextra", "-Wno-unused-parameter", "-fPIC"],
    "cflags_cc": ["-std=gnu++17", "-O2", "-Wall", "-Wno-unused-parameter", "-fPIC"],
    "libraries": ["-lpthread", "-lrt"]
  },
  "targets": [
    {
      "target_name": "mvar_core",
      "type": "static_library",
      "sources": [
        "native/segment.c",
        "native/sweep.c",
        "native/trace.c",
        "native/mvar.c",
        "native/protocol.c",
        "native/layout_table.c",
        "native/sockdiag.c",
        "native/ipc.c"
      ]
    },
    {
      "target_name": "mvar_repro",
      "dependencies": ["mvar_core"],
      "sources": [
        "native/addon/module.cc",
        "native/addon/coded_error.cc",
        "native/addon/segment_object.cc",
        "native/addon/op_worker.cc",
        "native/addon/functions.cc",
        "native/addon/inspect.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_DISABLE_CPP_EXCEPTIONS", "NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED"]
    },
    {
      "target_name": "mvar-worker",
      "type": "executable",
      "dependencies": ["mvar_core"],
      "sources": ["native/worker.c", "native/lines.c", "native/forkserver.c", "native/commands.c", "native/command_shim.c", "native/command_text.c", "native/guard.c", "native/chaos.c"],
      "libraries": ["-ldl"]
    },
    {
      "target_name": "mvar-preload",
      "type": "shared_library",
      "sources": [
        "native/segment.c",
        "native/mvar.c",
        "native/trace.c",
        "native/preload/interpose.c",
        "native/preload/interpose_cond.c",
        "native/preload/interpose_sem.c",
        "native/preload/filelock.c",
        "native/preload/rwlock.c",
        "native/preload/mappings.c",
        "native/preload/check.c",
        "native/preload/emit.c",
        "native/preload/lockdep.c",
        "native/preload/misuse.c",
        "native/preload/ring.c",
        "native/preload/stamp.c",
        "native/preload/jitter.c"
      ],
      "cflags_c": ["-fvisibility=hidden", "-flto"],
      "ldflags": ["-flto", "-O2"],
      "libraries": ["-ldl"]
    }
  ]
}
