// Node binding of the C core (node-addon-api, C++ exceptions disabled).
//
//   layout()            field -> {offset,size} per region, and enum values
//   glibcVersion()      gnu_get_libc_version()
//   dieWithParent(ppid) PR_SET_PDEATHSIG for Node workers
//   unixSockets()       every Unix socket's inode and its peer's (sock_diag)
//   kcmpFile, semInfo, msgQueueInfo   kernel answers for the diagnosis (ipc.h)
//   Segment.create(opts) / Segment.open(name)
//   seg.name, seg.openPath, seg.close(), seg.unlink()
//   sweepSegment(name[, dir])  remove a leftover segment, only when provably stale
//   seg.register(role, id)   claim this process's slot
//   seg.takeSync() / seg.putSync(v)   blocking, on the calling thread
//   seg.take() / seg.put(v)           blocking call on a libuv worker thread
//   seg.abbaSync() / seg.abba()       the abba fault's lock inversion
//   seg.finish(status)
//   seg.snapshot()      copy of header + mvar + slots (decoded in TS)
//   seg.readEvents(slot, from) -> {events: Buffer, next, missed, head}
//
// One file on purpose (~500 lines): it is the whole JS surface of the core,
// one C++ object (Segment) per JS object plus its AsyncWorker, and every
// error leaves through CodedError; splitting it would scatter that one
// boundary over several translation units.
#include <napi.h>

#include <gnu/libc-version.h>

#include <cstdio>
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include "layout_table.h"
#include "mvar.h"
#include "protocol.h"
#include "segment.h"
#include "ipc.h"
#include "sockdiag.h"
#include "trace.h"
}

namespace {

// Every error crosses into JavaScript here: a message and a code named by
// mvr_err_name (the names the layout table exports as the "error" group).
Napi::Error CodedError(Napi::Env env, int err, const std::string& msg) {
  Napi::Error e = Napi::Error::New(env, msg);
  e.Set("code", Napi::String::New(env, mvr_err_name(err)));
  return e;
}

Napi::Value ThrowCoded(Napi::Env env, int err, const std::string& msg) {
  CodedError(env, err, msg).ThrowAsJavaScriptException();
  return env.Undefined();
}

bool U32Arg(const Napi::CallbackInfo& info, size_t i, const char* what, uint32_t* out) {
  if (info.Length() <= i || !info[i].IsNumber()) {
    ThrowCoded(info.Env(), MVR_E_ARG, std::string(what) + " must be a number");
    return false;
  }
  double d = info[i].As<Napi::Number>().DoubleValue();
  if (!(d >= 0 && d <= 4294967295.0) || d != static_cast<double>(static_cast<uint64_t>(d))) {
    ThrowCoded(info.Env(), MVR_E_ARG, std::string(what) + " must be an integer in 0..2^32-1");
    return false;
  }
  *out = static_cast<uint32_t>(d);
  return true;
}

bool U32Opt(Napi::Object o, const char* key, uint32_t* out) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined()) return true;
  if (!v.IsNumber()) {
    ThrowCoded(o.Env(), MVR_E_ARG, std::string(key) + " must be a number");
    return false;
  }
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= 0 && d <= 4294967295.0) || d != static_cast<double>(static_cast<uint64_t>(d))) {
    ThrowCoded(o.Env(), MVR_E_ARG, std::string(key) + " must be an integer in 0..2^32-1");
    return false;
  }
  *out = static_cast<uint32_t>(d);
  return true;
}

class Segment;

// A blocking MVar call run on a libuv worker thread, settled as a promise.
class OpWorker : public Napi::AsyncWorker {
 public:
  enum Kind { kTake, kPut, kAbba };
  OpWorker(Napi::Env env, Segment* seg, Napi::Object self, Kind kind, uint64_t value)
      : Napi::AsyncWorker(env, "mvar-repro:op"),
        seg_(seg),
        kind_(kind),
        value_(value),
        deferred_(Napi::Promise::Deferred::New(env)) {
    self_ = Napi::Persistent(self);  // keeps the segment alive while the call blocks
  }
  Napi::Promise Promise() const { return deferred_.Promise(); }
  void Execute() override;
  void OnOK() override;
  void OnError(const Napi::Error& e) override;

 private:
  Segment* seg_;
  Kind kind_;
  uint64_t value_;
  int rc_ = 0;
  Napi::Promise::Deferred deferred_;
  Napi::ObjectReference self_;
};

class Segment : public Napi::ObjectWrap<Segment> {
 public:
  static Napi::Function Init(Napi::Env env) {
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

  explicit Segment(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Segment>(info) {
    std::memset(&seg_, 0, sizeof seg_);
    std::memset(&proc_, 0, sizeof proc_);
  }
  ~Segment() override {
    if (open_) mvr_segment_close(&seg_);
  }

  static Napi::Value Create(const Napi::CallbackInfo& info) {
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

  static Napi::Value Open(const Napi::CallbackInfo& info) {
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

  Napi::Value Name(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), seg_.name); }
  // Where other processes open it: the creator's descriptor (the name is gone), else the name.
  Napi::Value OpenPath(const Napi::CallbackInfo& info) {
    if (seg_.lock_fd < 0) return Napi::String::New(info.Env(), seg_.name);
    char path[64];
    mvr_segment_open_path(&seg_, path, sizeof path);
    return Napi::String::New(info.Env(), path);
  }
  Napi::Value Size(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(seg_.size));
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    if (busy_) return ThrowCoded(info.Env(), MVR_E_BUSY, "segment is in use by a pending take/put");
    if (open_) mvr_segment_close(&seg_);
    open_ = false;
    registered_ = false;
    return info.Env().Undefined();
  }

  Napi::Value Unlink(const Napi::CallbackInfo& info) {
    char err[256] = "";
    int rc = mvr_segment_unlink(seg_.name, err, sizeof err);
    if (rc && rc != MVR_E_NOENT) return ThrowCoded(info.Env(), rc, err);
    return Napi::Boolean::New(info.Env(), rc == 0);
  }

  Napi::Value Register(const Napi::CallbackInfo& info) {
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

  Napi::Value Finish(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    uint32_t status;
    if (!Registered(env) || !U32Arg(info, 0, "status", &status)) return env.Undefined();
    std::string reason = info.Length() > 1 && info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "";
    mvr_finish(&proc_, static_cast<int>(status), reason.c_str());
    return env.Undefined();
  }

  // What the staged fault asks of this registered process (same predicates as the native worker).
  Napi::Value FaultPlan(const Napi::CallbackInfo& info) {
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
  Napi::Value WaitForFault(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Registered(env)) return env.Undefined();
    mvr_wait_for_fault(&proc_);
    return env.Undefined();
  }

  Napi::Value TakeSync(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Registered(env)) return env.Undefined();
    uint64_t v = 0;
    int rc = mvr_take(&proc_, &v);
    if (rc) return OpError(env, "take", rc);
    return Napi::BigInt::New(env, v);
  }

  Napi::Value PutSync(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    uint64_t v;
    if (!Registered(env) || !Value(info, &v)) return env.Undefined();
    int rc = mvr_put(&proc_, v);
    if (rc) return OpError(env, "put", rc);
    return env.Undefined();
  }

  Napi::Value AbbaSync(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Registered(env)) return env.Undefined();
    mvr_abba(&proc_);
    return env.Undefined();
  }

  Napi::Value Take(const Napi::CallbackInfo& info) { return Async(info, OpWorker::kTake, 0); }
  Napi::Value Abba(const Napi::CallbackInfo& info) { return Async(info, OpWorker::kAbba, 0); }
  Napi::Value Put(const Napi::CallbackInfo& info) {
    uint64_t v;
    if (!Value(info, &v)) return info.Env().Undefined();
    return Async(info, OpWorker::kPut, v);
  }

  // header + mvar + slots, copied: decoding happens in TypeScript.
  Napi::Value Snapshot(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Usable(env)) return env.Undefined();
    size_t n = static_cast<size_t>(seg_.rings - static_cast<unsigned char*>(seg_.base));
    return Napi::Buffer<uint8_t>::Copy(env, static_cast<uint8_t*>(seg_.base), n);
  }

  Napi::Value ReadEvents(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Usable(env)) return env.Undefined();
    uint32_t slot;
    if (!U32Arg(info, 0, "slot", &slot)) return env.Undefined();
    if (slot >= seg_.proc_capacity)
      return ThrowCoded(env, MVR_E_ARG, "slot " + std::to_string(slot) + " is beyond the segment's " +
                                         std::to_string(seg_.proc_capacity) + " slots");
    if (info.Length() < 2 || !info[1].IsNumber()) return ThrowCoded(env, MVR_E_ARG, "from must be a number");
    double fromD = info[1].As<Napi::Number>().DoubleValue();
    if (!(fromD >= 0)) return ThrowCoded(env, MVR_E_ARG, "from must be >= 0");
    uint64_t from = static_cast<uint64_t>(fromD);
    // Sized from a first look at head; records published after it wait for the next read.
    std::vector<mvr_event> buf(mvr_ring_pending(&seg_, slot, from));
    mvr_read_result r = mvr_ring_read(&seg_, slot, from, buf.data(), buf.size());
    Napi::Object out = Napi::Object::New(env);
    out.Set("events", Napi::Buffer<uint8_t>::Copy(env, reinterpret_cast<uint8_t*>(buf.data()),
                                                  r.count * sizeof(mvr_event)));
    out.Set("next", Napi::Number::New(env, static_cast<double>(r.next)));
    out.Set("missed", Napi::Number::New(env, static_cast<double>(r.missed)));
    out.Set("head", Napi::Number::New(env, static_cast<double>(r.head)));
    return out;
  }

  // Reads every ring from cursors[slot] on, in one call; advances the cursors.
  // Returns {events: Buffer, counts: Uint32Array, missed: Float64Array}, the
  // events grouped by slot in slot order.
  Napi::Value ReadAll(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!Usable(env)) return env.Undefined();
    if (info.Length() < 1 || !info[0].IsTypedArray() ||
        info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
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

  mvr_proc* proc() { return &proc_; }
  void SetBusy(bool b) { busy_ = b; }

 private:
  static Napi::Object NewInstance(Napi::Env env) {
    Napi::FunctionReference* ctor = env.GetInstanceData<Napi::FunctionReference>();
    return ctor->New({});
  }

  bool Usable(Napi::Env env) {
    if (!open_) {
      ThrowCoded(env, MVR_E_CLOSED, "segment is closed");
      return false;
    }
    return true;
  }

  bool Registered(Napi::Env env) {
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

  static bool Value(const Napi::CallbackInfo& info, uint64_t* v) {
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

  Napi::Value OpError(Napi::Env env, const char* what, int rc) {
    char msg[128];
    std::snprintf(msg, sizeof msg, "%s failed: %s", what, std::strerror(rc));
    Napi::Error e = CodedError(env, MVR_E_MVAR, msg);
    e.Set("errno", Napi::Number::New(env, rc));
    e.ThrowAsJavaScriptException();
    return env.Undefined();
  }

  Napi::Value Async(const Napi::CallbackInfo& info, OpWorker::Kind kind, uint64_t v) {
    Napi::Env env = info.Env();
    if (!Registered(env)) return env.Undefined();
    auto* w = new OpWorker(env, this, info.This().As<Napi::Object>(), kind, v);
    busy_ = true;
    Napi::Promise p = w->Promise();
    w->Queue();
    return p;
  }

  mvr_seg seg_;
  mvr_proc proc_;
  bool open_ = false;
  bool registered_ = false;
  bool busy_ = false;
};

void OpWorker::Execute() {
  // Runs on a libuv pool thread: the trace records this thread's tid.
  switch (kind_) {
    case kTake: rc_ = mvr_take(seg_->proc(), &value_); break;
    case kPut: rc_ = mvr_put(seg_->proc(), value_); break;
    case kAbba: rc_ = mvr_abba(seg_->proc()); break;
  }
  if (rc_) {
    char msg[128];
    std::snprintf(msg, sizeof msg, "%s failed: %s", kind_ == kTake ? "take" : kind_ == kPut ? "put" : "abba",
                  std::strerror(rc_));
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
  Napi::Error err = CodedError(Env(), MVR_E_MVAR, e.Message());
  err.Set("errno", Napi::Number::New(Env(), rc_));
  deferred_.Reject(err.Value());
}

// sweepSegment(name[, dir]) -> { removed, reason }: removes a leftover only when it is provably stale.
// dir (default /dev/shm) lets tests sweep a folder of their own.
Napi::Value SweepSegment(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) return ThrowCoded(env, MVR_E_ARG, "sweepSegment(name) needs a string");
  std::string name = info[0].As<Napi::String>();
  std::string dir = info.Length() > 1 && info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "";
  char err[256] = "";
  int rc = mvr_segment_sweep(dir.empty() ? nullptr : dir.c_str(), name.c_str(), err, sizeof err);
  if (rc < 0) return ThrowCoded(env, rc, err);
  Napi::Object out = Napi::Object::New(env);
  out.Set("removed", Napi::Boolean::New(env, rc == 1));
  out.Set("reason", Napi::String::New(env, err));
  return out;
}

Napi::Value Layout(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  Napi::Object regions = Napi::Object::New(env);
  for (size_t i = 0; i < mvr_field_count; i++) {
    const mvr_field& f = mvr_fields[i];
    if (!regions.Has(f.region)) {
      Napi::Object r = Napi::Object::New(env);
      r.Set("size", Napi::Number::New(env, 0));
      r.Set("fields", Napi::Object::New(env));
      regions.Set(f.region, r);
    }
    Napi::Object r = regions.Get(f.region).As<Napi::Object>();
    if (f.name[0] == '\0') {
      r.Set("size", Napi::Number::New(env, f.size));
      continue;
    }
    Napi::Object field = Napi::Object::New(env);
    field.Set("offset", Napi::Number::New(env, f.offset));
    field.Set("size", Napi::Number::New(env, f.size));
    r.Get("fields").As<Napi::Object>().Set(f.name, field);
  }
  out.Set("regions", regions);
  Napi::Object consts = Napi::Object::New(env);
  for (size_t i = 0; i < mvr_const_count; i++) {
    const mvr_const& c = mvr_consts[i];
    if (!consts.Has(c.group)) consts.Set(c.group, Napi::Object::New(env));
    consts.Get(c.group).As<Napi::Object>().Set(c.name, Napi::Number::New(env, static_cast<double>(c.value)));
  }
  out.Set("constants", consts);
  char magic[19];
  std::snprintf(magic, sizeof magic, "0x%016llx", static_cast<unsigned long long>(MVR_MAGIC));
  out.Set("magic", Napi::String::New(env, magic));
  return out;
}

Napi::Value GlibcVersion(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), gnu_get_libc_version());
}

Napi::Value DieWithParent(const Napi::CallbackInfo& info) {
  uint32_t ppid;
  if (!U32Arg(info, 0, "ppid", &ppid)) return info.Env().Undefined();
  return Napi::Boolean::New(info.Env(), mvr_die_with_parent(static_cast<int>(ppid)) == 0);
}

// {sockets: Uint32Array of (inode, peer) pairs} or {error: "strerror text"}.
Napi::Value UnixSockets(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<mvr_unix_sock> socks(1024);
  long n;
  while ((n = mvr_unix_sockets(socks.data(), socks.size())) > static_cast<long>(socks.size())) socks.resize(n + 256);
  Napi::Object out = Napi::Object::New(env);
  if (n < 0) {
    out.Set("error", Napi::String::New(env, std::strerror(static_cast<int>(-n))));
    return out;
  }
  Napi::Uint32Array pairs = Napi::Uint32Array::New(env, 2 * n);
  for (size_t i = 0; i < static_cast<size_t>(n); i++) {
    pairs[2 * i] = socks[i].inode;
    pairs[2 * i + 1] = socks[i].peer;
  }
  out.Set("sockets", pairs);
  return out;
}

// kcmpFile(pid1, fd1, pid2, fd2): true (same open file description), false, or null (cannot tell).
Napi::Value KcmpFile(const Napi::CallbackInfo& info) {
  uint32_t a[4];
  const char* names[4] = {"pid1", "fd1", "pid2", "fd2"};
  for (int i = 0; i < 4; i++)
    if (!U32Arg(info, i, names[i], &a[i])) return info.Env().Undefined();
  int r = mvr_kcmp_file(a[0], a[1], a[2], a[3]);
  if (r < 0) return info.Env().Null();
  return Napi::Boolean::New(info.Env(), r == 0);
}

// semInfo(semid): {values, pids, ncnt, zcnt: Int32Array} or {error: "strerror text"}.
Napi::Value SemInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t semid;
  if (!U32Arg(info, 0, "semid", &semid)) return env.Undefined();
  // A set holds at most SEMMSL semaphores (32000 by default); 4096 read, the rest said by the count.
  std::vector<mvr_sem> sems(4096);
  long n = mvr_sem_info(static_cast<int>(semid), sems.data(), sems.size());
  Napi::Object out = Napi::Object::New(env);
  if (n < 0) {
    out.Set("error", Napi::String::New(env, std::strerror(static_cast<int>(-n))));
    return out;
  }
  size_t shown = std::min(static_cast<size_t>(n), sems.size());
  Napi::Int32Array values = Napi::Int32Array::New(env, shown), pids = Napi::Int32Array::New(env, shown);
  Napi::Int32Array ncnt = Napi::Int32Array::New(env, shown), zcnt = Napi::Int32Array::New(env, shown);
  for (size_t i = 0; i < shown; i++) {
    values[i] = sems[i].value;
    pids[i] = sems[i].pid;
    ncnt[i] = sems[i].ncnt;
    zcnt[i] = sems[i].zcnt;
  }
  out.Set("count", Napi::Number::New(env, static_cast<double>(n)));
  out.Set("values", values);
  out.Set("pids", pids);
  out.Set("ncnt", ncnt);
  out.Set("zcnt", zcnt);
  return out;
}

// msgQueueInfo(msqid): {qnum, qbytes, lspid, lrpid} or {error}.
Napi::Value MsgQueueInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t msqid;
  if (!U32Arg(info, 0, "msqid", &msqid)) return env.Undefined();
  mvr_msq q;
  int r = mvr_msq_info(static_cast<int>(msqid), &q);
  Napi::Object out = Napi::Object::New(env);
  if (r < 0) {
    out.Set("error", Napi::String::New(env, std::strerror(-r)));
    return out;
  }
  out.Set("qnum", Napi::Number::New(env, static_cast<double>(q.qnum)));
  out.Set("qbytes", Napi::Number::New(env, static_cast<double>(q.qbytes)));
  out.Set("lspid", Napi::Number::New(env, q.lspid));
  out.Set("lrpid", Napi::Number::New(env, q.lrpid));
  return out;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  Napi::Function seg = Segment::Init(env);
  env.SetInstanceData(new Napi::FunctionReference(Napi::Persistent(seg)));
  exports.Set("Segment", seg);
  exports.Set("layout", Napi::Function::New(env, Layout));
  exports.Set("sweepSegment", Napi::Function::New(env, SweepSegment));
  exports.Set("glibcVersion", Napi::Function::New(env, GlibcVersion));
  exports.Set("dieWithParent", Napi::Function::New(env, DieWithParent));
  exports.Set("unixSockets", Napi::Function::New(env, UnixSockets));
  exports.Set("kcmpFile", Napi::Function::New(env, KcmpFile));
  exports.Set("semInfo", Napi::Function::New(env, SemInfo));
  exports.Set("msgQueueInfo", Napi::Function::New(env, MsgQueueInfo));
  return exports;
}

}  // namespace

NODE_API_MODULE(mvar_repro, Init)
