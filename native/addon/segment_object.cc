// See segment.h: the Segment object's methods, each a thin call into the C
// core (segment.c, mvar.c, trace.c) with its arguments checked first.
#include "segment_object.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "coded_error.h"

#include "../protocol.h"
#include "../trace.h"

namespace mvr {

Napi::Function Segment::Init(Napi::Env env) {
  return DefineClass(env, "Segment",
                     {
                         StaticMethod<&Segment::Create>("create"),
                         StaticMethod<&Segment::Open>("open"),
                         InstanceAccessor<&Segment::Name>("name"),
                         InstanceAccessor<&Segment::OpenPath>("openPath"),
                         InstanceAccessor<&Segment::Size>("size"),
                         InstanceMethod<&Segment::Close>("close"),
                         InstanceMethod<&Segment::Unlink>("unlink"),
                         InstanceMethod<&Segment::Register>("register"),
                         InstanceMethod<&Segment::Finish>("finish"),
                         InstanceMethod<&Segment::FaultPlan>("faultPlan"),
                         InstanceMethod<&Segment::WaitForFault>("waitForFault"),
                         InstanceMethod<&Segment::TakeSync>("takeSync"),
                         InstanceMethod<&Segment::PutSync>("putSync"),
                         InstanceMethod<&Segment::AbbaSync>("abbaSync"),
                         InstanceMethod<&Segment::Take>("take"),
                         InstanceMethod<&Segment::Put>("put"),
                         InstanceMethod<&Segment::Abba>("abba"),
                         InstanceMethod<&Segment::Snapshot>("snapshot"),
                         InstanceMethod<&Segment::ReadEvents>("readEvents"),
                         InstanceMethod<&Segment::ReadAll>("readAll"),
                     });
}

Segment::Segment(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Segment>(info) {
  std::memset(&seg_, 0, sizeof seg_);
  std::memset(&proc_, 0, sizeof proc_);
}

Segment::~Segment() {
  if (open_) mvr_segment_close(&seg_);
}

Napi::Object Segment::NewInstance(Napi::Env env) {
  Napi::FunctionReference* ctor = env.GetInstanceData<Napi::FunctionReference>();
  return ctor->New({});
}

Napi::Value Segment::Create(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) return ThrowCoded(env, MVR_E_ARG, "create(options) needs an object");
  Napi::Object o = info[0].As<Napi::Object>();
  mvr_create_opts opts{};
  opts.variant = MVR_VARIANT_FIXED;
  if (!U32Opt(o, "variant", &opts.variant) || !U32Opt(o, "fault", &opts.fault) ||
      !U32Opt(o, "faultTarget", &opts.fault_target) || !U32Opt(o, "rounds", &opts.rounds) ||
      !U32Opt(o, "nslaves", &opts.nslaves) || !U32Opt(o, "procCapacity", &opts.proc_capacity) ||
      !U32Opt(o, "ringCapacity", &opts.ring_capacity))
    return env.Undefined();
  Napi::Object obj = NewInstance(env);
  Segment* s = Segment::Unwrap(obj);
  char err[256] = "";
  int rc = mvr_segment_create(&opts, &s->seg_, err, sizeof err);
  if (rc) return ThrowCoded(env, rc, err);
  s->open_ = true;
  return obj;
}

Napi::Value Segment::Open(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) return ThrowCoded(env, MVR_E_ARG, "open(name) needs a string");
  std::string name = info[0].As<Napi::String>();
  Napi::Object obj = NewInstance(env);
  Segment* s = Segment::Unwrap(obj);
  char err[256] = "";
  int rc = mvr_segment_open(name.c_str(), &s->seg_, err, sizeof err);
  if (rc) return ThrowCoded(env, rc, err);
  s->open_ = true;
  return obj;
}

Napi::Value Segment::Name(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), seg_.name); }

// Where other processes open it: the creator's descriptor (the name is gone), else the name.
Napi::Value Segment::OpenPath(const Napi::CallbackInfo& info) {
  if (seg_.lock_fd < 0) return Napi::String::New(info.Env(), seg_.name);
  char path[64];
  mvr_segment_open_path(&seg_, path, sizeof path);
  return Napi::String::New(info.Env(), path);
}

Napi::Value Segment::Size(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), static_cast<double>(seg_.size)); }

Napi::Value Segment::Close(const Napi::CallbackInfo& info) {
  if (busy_) return ThrowCoded(info.Env(), MVR_E_BUSY, "segment is in use by a pending take/put");
  if (open_) mvr_segment_close(&seg_);
  open_ = false;
  registered_ = false;
  return info.Env().Undefined();
}

Napi::Value Segment::Unlink(const Napi::CallbackInfo& info) {
  char err[256] = "";
  int rc = mvr_segment_unlink(seg_.name, err, sizeof err);
  if (rc && rc != MVR_E_NOENT) return ThrowCoded(info.Env(), rc, err);
  return Napi::Boolean::New(info.Env(), rc == 0);
}

Napi::Value Segment::Register(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Usable(env)) return env.Undefined();
  uint32_t role, id;
  if (!U32Arg(info, 0, "role", &role) || !U32Arg(info, 1, "id", &id)) return env.Undefined();
  if (registered_) return ThrowCoded(env, MVR_E_ARG, "this process is already registered in the segment");
  char err[256] = "";
  int rc = mvr_register(&seg_, role, id, MVR_RUNTIME_NODE, &proc_, err, sizeof err);
  if (rc) return ThrowCoded(env, rc, err);
  registered_ = true;
  return Napi::Number::New(env, proc_.slot_index);
}

Napi::Value Segment::Finish(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t status;
  if (!Registered(env) || !U32Arg(info, 0, "status", &status)) return env.Undefined();
  std::string reason = info.Length() > 1 && info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "";
  mvr_finish(&proc_, static_cast<int>(status), reason.c_str());
  return env.Undefined();
}

// What the staged fault asks of this registered process (same predicates as the native worker).
Napi::Value Segment::FaultPlan(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Registered(env)) return env.Undefined();
  Napi::Object o = Napi::Object::New(env);
  o.Set("abba", Napi::Boolean::New(env, mvr_fault_is_abba_party(&proc_) != 0));
  o.Set("loseValue", Napi::Boolean::New(env, mvr_fault_loses_value(&proc_) != 0));
  o.Set("nslaves", Napi::Number::New(env, seg_.nslaves));
  o.Set("rounds", Napi::Number::New(env, seg_.rounds));
  return o;
}

// Blocks (at most 10 s) until a staged holder fault has struck; see mvr_wait_for_fault.
Napi::Value Segment::WaitForFault(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Registered(env)) return env.Undefined();
  mvr_wait_for_fault(&proc_);
  return env.Undefined();
}

Napi::Value Segment::TakeSync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Registered(env)) return env.Undefined();
  uint64_t v = 0;
  int rc = mvr_take(&proc_, &v);
  if (rc) return OpError(env, "take", rc);
  return Napi::BigInt::New(env, v);
}

Napi::Value Segment::PutSync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint64_t v;
  if (!Registered(env) || !Value(info, &v)) return env.Undefined();
  int rc = mvr_put(&proc_, v);
  if (rc) return OpError(env, "put", rc);
  return env.Undefined();
}

Napi::Value Segment::AbbaSync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Registered(env)) return env.Undefined();
  mvr_abba(&proc_);
  return env.Undefined();
}

Napi::Value Segment::Put(const Napi::CallbackInfo& info) {
  uint64_t v;
  if (!Value(info, &v)) return info.Env().Undefined();
  return Async(info, OpWorker::kPut, v);
}

// header + mvar + slots, copied: decoding happens in TypeScript.
Napi::Value Segment::Snapshot(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Usable(env)) return env.Undefined();
  size_t n = static_cast<size_t>(seg_.rings - static_cast<unsigned char*>(seg_.base));
  return Napi::Buffer<uint8_t>::Copy(env, static_cast<uint8_t*>(seg_.base), n);
}

Napi::Value Segment::ReadEvents(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Usable(env)) return env.Undefined();
  uint32_t slot;
  if (!U32Arg(info, 0, "slot", &slot)) return env.Undefined();
  if (slot >= seg_.proc_capacity)
    return ThrowCoded(env, MVR_E_ARG, "slot " + std::to_string(slot) + " is beyond the segment's " + std::to_string(seg_.proc_capacity) + " slots");
  if (info.Length() < 2 || !info[1].IsNumber()) return ThrowCoded(env, MVR_E_ARG, "from must be a number");
  double fromD = info[1].As<Napi::Number>().DoubleValue();
  if (!(fromD >= 0)) return ThrowCoded(env, MVR_E_ARG, "from must be >= 0");
  uint64_t from = static_cast<uint64_t>(fromD);
  // Sized from a first look at head; records published after it wait for the next read.
  std::vector<mvr_event> buf(mvr_ring_pending(&seg_, slot, from));
  mvr_read_result r = mvr_ring_read(&seg_, slot, from, buf.data(), buf.size());
  Napi::Object out = Napi::Object::New(env);
  out.Set("events", Napi::Buffer<uint8_t>::Copy(env, reinterpret_cast<uint8_t*>(buf.data()), r.count * sizeof(mvr_event)));
  out.Set("next", Napi::Number::New(env, static_cast<double>(r.next)));
  out.Set("missed", Napi::Number::New(env, static_cast<double>(r.missed)));
  out.Set("head", Napi::Number::New(env, static_cast<double>(r.head)));
  return out;
}

// Reads every ring from cursors[slot] on, in one call; advances the cursors.
// Returns {events: Buffer, counts: Uint32Array, missed: Float64Array}, the
// events grouped by slot in slot order.
Napi::Value Segment::ReadAll(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!Usable(env)) return env.Undefined();
  if (info.Length() < 1 || !info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
    return ThrowCoded(env, MVR_E_ARG, "readAll(cursors) needs a Float64Array");
  Napi::Float64Array cursors = info[0].As<Napi::Float64Array>();
  const uint32_t n = static_cast<uint32_t>(std::min<size_t>(cursors.ElementLength(), seg_.proc_capacity));
  std::vector<uint64_t> want(n);
  size_t total = 0;
  for (uint32_t i = 0; i < n; i++) {
    double c = cursors[i];
    uint64_t from = c > 0 ? static_cast<uint64_t>(c) : 0;
    want[i] = mvr_ring_pending(&seg_, i, from);
    total += want[i];
  }
  Napi::Buffer<uint8_t> out = Napi::Buffer<uint8_t>::New(env, total * sizeof(mvr_event));
  mvr_event* dst = reinterpret_cast<mvr_event*>(out.Data());
  Napi::Uint32Array counts = Napi::Uint32Array::New(env, n);
  Napi::Float64Array missed = Napi::Float64Array::New(env, n);
  size_t used = 0;
  for (uint32_t i = 0; i < n; i++) {
    if (want[i] == 0) continue;
    double c = cursors[i];
    mvr_read_result r = mvr_ring_read(&seg_, i, c > 0 ? static_cast<uint64_t>(c) : 0, dst + used, want[i]);
    used += r.count;
    counts[i] = static_cast<uint32_t>(r.count);
    missed[i] = static_cast<double>(r.missed);
    cursors[i] = static_cast<double>(r.next);
  }
  Napi::Object res = Napi::Object::New(env);
  // A ring read can come up short (records lapped while copying): trim.
  res.Set("events", used == total ? out : Napi::Buffer<uint8_t>::Copy(env, out.Data(), used * sizeof(mvr_event)));
  res.Set("counts", counts);
  res.Set("missed", missed);
  return res;
}

bool Segment::Usable(Napi::Env env) {
  if (!open_) {
    ThrowCoded(env, MVR_E_CLOSED, "segment is closed");
    return false;
  }
  return true;
}

bool Segment::Registered(Napi::Env env) {
  if (!Usable(env)) return false;
  if (!registered_) {
    ThrowCoded(env, MVR_E_ARG, "register(role, id) first");
    return false;
  }
  if (busy_) {
    ThrowCoded(env, MVR_E_BUSY, "another take/put of this process is still pending");
    return false;
  }
  return true;
}

// The invariant: a value the MVar stores exactly (a bigint in 0..2^64-1, or a safe non-negative integer).
bool Segment::Value(const Napi::CallbackInfo& info, uint64_t* v) {
  bool lossless = true;
  if (info.Length() >= 1 && info[0].IsBigInt()) {
    *v = info[0].As<Napi::BigInt>().Uint64Value(&lossless);
    if (lossless) return true;
  } else if (info.Length() >= 1 && info[0].IsNumber()) {
    double d = info[0].As<Napi::Number>().DoubleValue();
    if (d >= 0 && d <= 9007199254740991.0 && d == static_cast<double>(static_cast<uint64_t>(d))) {
      *v = static_cast<uint64_t>(d);
      return true;
    }
  }
  ThrowCoded(info.Env(), MVR_E_ARG, "value must be a bigint or a safe integer in 0..2^64-1");
  return false;
}

Napi::Value Segment::OpError(Napi::Env env, const char* what, int rc) {
  char msg[128];
  std::snprintf(msg, sizeof msg, "%s failed: %s", what, std::strerror(rc));
  return ThrowCoded(env, MVR_E_MVAR, msg, rc);
}

Napi::Value Segment::Async(const Napi::CallbackInfo& info, OpWorker::Kind kind, uint64_t v) {
  Napi::Env env = info.Env();
  if (!Registered(env)) return env.Undefined();
  auto* w = new OpWorker(env, this, info.This().As<Napi::Object>(), kind, v);
  busy_ = true;
  Napi::Promise p = w->Promise();
  w->Queue();
  return p;
}

}  // namespace mvr
