// The diagnosis's questions to the kernel that /proc does not answer
// (native/ipc.h): whether two descriptors are one open file description,
// and the state of System V semaphore sets and message queues.
//
//   kcmpFile(pid1, fd1, pid2, fd2)  true, false, or null (the kernel will not say)
//   kcmpVm(pid1, pid2)   0: one address space (CLONE_VM), 1/2: sorts before/after, null
//   semInfo(semid)       {count, values, pids, ncnt, zcnt} or {error}
//   msgQueueInfo(msqid)  {qnum, qbytes, lspid, lrpid} or {error}
// A refusal (permission, a removed object) is an answer with its reason, not
// an exception: the diagnosis says what it could not read.
#include "functions.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "coded_error.h"

extern "C" {
#include "../ipc.h"
}

namespace mvr {

Napi::Value KcmpFile(const Napi::CallbackInfo& info) {
  uint32_t a[4];
  const char* names[4] = {"pid1", "fd1", "pid2", "fd2"};
  for (int i = 0; i < 4; i++)
    if (!U32Arg(info, i, names[i], &a[i])) return info.Env().Undefined();
  int r = mvr_kcmp_file(a[0], a[1], a[2], a[3]);
  if (r < 0) return info.Env().Null();
  return Napi::Boolean::New(info.Env(), r == 0);
}

Napi::Value KcmpVm(const Napi::CallbackInfo& info) {
  uint32_t a, b;
  if (!U32Arg(info, 0, "pid1", &a) || !U32Arg(info, 1, "pid2", &b)) return info.Env().Undefined();
  int r = mvr_kcmp_vm(a, b);
  if (r < 0 || r > 2) return info.Env().Null();
  return Napi::Number::New(info.Env(), r);
}

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

}  // namespace mvr
