// See op_worker.h. The segment is kept alive (a persistent reference to its
// JS object) and marked busy while the call blocks, so it cannot be closed
// under the worker thread.
#include "op_worker.h"

#include <cstdio>
#include <cstring>

#include "coded_error.h"
#include "segment_object.h"

#include "../mvar.h"
#include "../segment.h"

namespace mvr {

OpWorker::OpWorker(Napi::Env env, Segment* seg, Napi::Object self, Kind kind, uint64_t value)
    : Napi::AsyncWorker(env, "mvar-repro:op"), seg_(seg), kind_(kind), value_(value), deferred_(Napi::Promise::Deferred::New(env)) {
  self_ = Napi::Persistent(self);
}

void OpWorker::Execute() {
  // Runs on a libuv pool thread: the trace records this thread's tid.
  switch (kind_) {
    case kTake: rc_ = mvr_take(seg_->proc(), &value_); break;
    case kPut: rc_ = mvr_put(seg_->proc(), value_); break;
    case kAbba: rc_ = mvr_abba(seg_->proc()); break;
  }
  if (rc_) {
    char msg[128];
    std::snprintf(msg, sizeof msg, "%s failed: %s", Name(kind_), std::strerror(rc_));
    SetError(msg);
  }
}

void OpWorker::OnOK() {
  seg_->SetBusy(false);
  Napi::Env env = Env();
  if (kind_ == kTake)
    deferred_.Resolve(Napi::BigInt::New(env, value_));
  else
    deferred_.Resolve(env.Undefined());
}

void OpWorker::OnError(const Napi::Error& e) {
  seg_->SetBusy(false);
  deferred_.Reject(CodedError(Env(), MVR_E_MVAR, e.Message(), rc_).Value());
}

}  // namespace mvr
