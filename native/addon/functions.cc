// The addon's free functions: facts about the C core and the system that the
// TypeScript side reads once or now and then.
//
//   layout()            field -> {offset,size} per region, and enum values
//   sweepSegment(name[, dir])  remove a leftover segment, only when provably stale
//   glibcVersion()      gnu_get_libc_version()
//   dieWithParent(ppid) PR_SET_PDEATHSIG for Node workers
//   unixSockets()       every Unix socket's inode and its peer's (sock_diag)
#include "functions.h"

#include <gnu/libc-version.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "coded_error.h"

#include "../layout_table.h"
#include "../protocol.h"
#include "../segment.h"
#include "../sockdiag.h"

namespace mvr {

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

Napi::Value GlibcVersion(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), gnu_get_libc_version()); }

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

}  // namespace mvr
