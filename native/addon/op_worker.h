// A blocking MVar call (take, put, abba) of a Segment run on a libuv worker
// thread and settled as a promise: Node slaves with --slave-thread worker
// block there, so the event loop (and the slave's watchdog) keeps running.
#ifndef MVR_ADDON_OP_WORKER_H
#define MVR_ADDON_OP_WORKER_H

#include <napi.h>

#include <cstdint>

namespace mvr {

class Segment;

class OpWorker : public Napi::AsyncWorker {
 public:
  enum Kind { kTake, kPut, kAbba };
  OpWorker(Napi::Env env, Segment* seg, Napi::Object self, Kind kind, uint64_t value);
  Napi::Promise Promise() const { return deferred_.Promise(); }
  void Execute() override;
  void OnOK() override;
  void OnError(const Napi::Error& e) override;

  static const char* Name(Kind k) { return k == kTake ? "take" : k == kPut ? "put" : "abba"; }

 private:
  Segment* seg_;
  Kind kind_;
  uint64_t value_;
  int rc_ = 0;
  Napi::Promise::Deferred deferred_;
  Napi::ObjectReference self_;
};

}  // namespace mvr

#endif
