// The one way an error leaves the addon for JavaScript: a Napi::Error with a
// `code` named by mvr_err_name (the names the layout table exports as the
// "error" group), so the typed layer (src/core/native/addon.ts) can tell a
// bad argument from a closed segment from a failed MVar call.
#ifndef MVR_ADDON_CODED_ERROR_H
#define MVR_ADDON_CODED_ERROR_H

#include <napi.h>

#include <cstdint>
#include <string>

namespace mvr {

// Every error crosses into JavaScript through this function. errnum, when
// not 0, is the errno the failed call returned (set as `errno` on the error).
Napi::Error CodedError(Napi::Env env, int err, const std::string& msg, int errnum = 0);

// Throws CodedError(...) and returns undefined, for `return ThrowCoded(...)`.
Napi::Value ThrowCoded(Napi::Env env, int err, const std::string& msg, int errnum = 0);

// info[i] as an integer in 0..2^32-1; false (with a pending exception) otherwise.
bool U32Arg(const Napi::CallbackInfo& info, size_t i, const char* what, uint32_t* out);

// o[key] as an integer in 0..2^32-1 when present (left alone when undefined).
bool U32Opt(Napi::Object o, const char* key, uint32_t* out);

}  // namespace mvr

#endif
