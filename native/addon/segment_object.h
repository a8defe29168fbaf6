// The JS `Segment` object: one mapping of an MVar segment (segment.c), and,
// once registered, this process's slot in it (mvar.c). Created by
// Segment.create(opts) or Segment.open(name); the typed layer is
// src/core/native/segment.ts.
//
//   seg.name, seg.openPath, seg.size, seg.close(), seg.unlink()
//   seg.register(role, id)   claim this process's slot
//   seg.takeSync() / seg.putSync(v)   blocking, on the calling thread
//   seg.take() / seg.put(v)           blocking call on a libuv worker thread
//   seg.abbaSync() / seg.abba()       the abba fault's lock inversion
//   seg.faultPlan(), seg.waitForFault(), seg.finish(status)
//   seg.snapshot()      copy of header + mvar + slots (decoded in TS)
//   seg.readEvents(slot, from) / seg.readAll(cursors)   the trace rings
#ifndef MVR_ADDON_SEGMENT_OBJECT_H
#define MVR_ADDON_SEGMENT_OBJECT_H

#include <napi.h>

#include "op_worker.h"

#include "../mvar.h"
#include "../segment.h"

namespace mvr {

class Segment : public Napi::ObjectWrap<Segment> {
 public:
  // Defines the class; the constructor is kept as the addon's instance data (NewInstance uses it).
  static Napi::Function Init(Napi::Env env);

  explicit Segment(const Napi::CallbackInfo& info);
  ~Segment() override;

  static Napi::Value Create(const Napi::CallbackInfo& info);
  static Napi::Value Open(const Napi::CallbackInfo& info);

  Napi::Value Name(const Napi::CallbackInfo& info);
  Napi::Value OpenPath(const Napi::CallbackInfo& info);
  Napi::Value Size(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value Unlink(const Napi::CallbackInfo& info);
  Napi::Value Register(const Napi::CallbackInfo& info);
  Napi::Value Finish(const Napi::CallbackInfo& info);
  Napi::Value FaultPlan(const Napi::CallbackInfo& info);
  Napi::Value WaitForFault(const Napi::CallbackInfo& info);
  Napi::Value TakeSync(const Napi::CallbackInfo& info);
  Napi::Value PutSync(const Napi::CallbackInfo& info);
  Napi::Value AbbaSync(const Napi::CallbackInfo& info);
  Napi::Value Take(const Napi::CallbackInfo& info) { return Async(info, OpWorker::kTake, 0); }
  Napi::Value Abba(const Napi::CallbackInfo& info) { return Async(info, OpWorker::kAbba, 0); }
  Napi::Value Put(const Napi::CallbackInfo& info);
  Napi::Value Snapshot(const Napi::CallbackInfo& info);
  Napi::Value ReadEvents(const Napi::CallbackInfo& info);
  Napi::Value ReadAll(const Napi::CallbackInfo& info);

  mvr_proc* proc() { return &proc_; }
  void SetBusy(bool b) { busy_ = b; }

 private:
  static Napi::Object NewInstance(Napi::Env env);
  // Each check states its invariant: the mapping is open; the process is registered and no async call is pending.
  bool Usable(Napi::Env env);
  bool Registered(Napi::Env env);
  static bool Value(const Napi::CallbackInfo& info, uint64_t* v);
  Napi::Value OpError(Napi::Env env, const char* what, int rc);
  Napi::Value Async(const Napi::CallbackInfo& info, OpWorker::Kind kind, uint64_t v);

  mvr_seg seg_;
  mvr_proc proc_;
  bool open_ = false;
  bool registered_ = false;
  bool busy_ = false;
};

}  // namespace mvr

#endif
