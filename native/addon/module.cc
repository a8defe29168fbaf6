// Node binding of the C core (node-addon-api, C++ exceptions disabled): the
// module's exports. One C++ object per JS object (Segment: segment_object.cc,
// its blocking calls: op_worker.cc), the free functions in functions.cc, and
// every error leaves through CodedError (coded_error.cc). The typed layer
// over this surface is src/core/native/addon.ts.
#include <napi.h>

#include "functions.h"
#include "segment_object.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  Napi::Function seg = mvr::Segment::Init(env);
  env.SetInstanceData(new Napi::FunctionReference(Napi::Persistent(seg)));
  exports.Set("Segment", seg);
  exports.Set("layout", Napi::Function::New(env, mvr::Layout));
  exports.Set("sweepSegment", Napi::Function::New(env, mvr::SweepSegment));
  exports.Set("glibcVersion", Napi::Function::New(env, mvr::GlibcVersion));
  exports.Set("dieWithParent", Napi::Function::New(env, mvr::DieWithParent));
  exports.Set("unixSockets", Napi::Function::New(env, mvr::UnixSockets));
  exports.Set("kcmpFile", Napi::Function::New(env, mvr::KcmpFile));
  exports.Set("kcmpVm", Napi::Function::New(env, mvr::KcmpVm));
  exports.Set("semInfo", Napi::Function::New(env, mvr::SemInfo));
  exports.Set("msgQueueInfo", Napi::Function::New(env, mvr::MsgQueueInfo));
  return exports;
}

}  // namespace

NODE_API_MODULE(mvar_repro, Init)
