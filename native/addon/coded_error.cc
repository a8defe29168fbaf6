// Errors and argument checks at the JavaScript boundary (see coded_error.h).
#include "coded_error.h"

#include "../segment.h"

namespace mvr {

Napi::Error CodedError(Napi::Env env, int err, const std::string& msg, int errnum) {
  Napi::Error e = Napi::Error::New(env, msg);
  e.Set("code", Napi::String::New(env, mvr_err_name(err)));
  if (errnum) e.Set("errno", Napi::Number::New(env, errnum));
  return e;
}

Napi::Value ThrowCoded(Napi::Env env, int err, const std::string& msg, int errnum) {
  CodedError(env, err, msg, errnum).ThrowAsJavaScriptException();
  return env.Undefined();
}

// The invariant both checks enforce: a number that is an integer in 0..2^32-1, so the C side's uint32_t is exact.
static bool U32Of(Napi::Env env, Napi::Value v, const std::string& what, uint32_t* out) {
  if (!v.IsNumber()) {
    ThrowCoded(env, MVR_E_ARG, what + " must be a number");
    return false;
  }
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= 0 && d <= 4294967295.0) || d != static_cast<double>(static_cast<uint64_t>(d))) {
    ThrowCoded(env, MVR_E_ARG, what + " must be an integer in 0..2^32-1");
    return false;
  }
  *out = static_cast<uint32_t>(d);
  return true;
}

bool U32Arg(const Napi::CallbackInfo& info, size_t i, const char* what, uint32_t* out) {
  if (info.Length() <= i) {
    ThrowCoded(info.Env(), MVR_E_ARG, std::string(what) + " must be a number");
    return false;
  }
  return U32Of(info.Env(), info[i], what, out);
}

bool U32Opt(Napi::Object o, const char* key, uint32_t* out) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined()) return true;
  return U32Of(o.Env(), v, key, out);
}

}  // namespace mvr
