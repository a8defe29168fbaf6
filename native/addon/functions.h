// The addon's free functions (functions.cc); module.cc exports them.
#ifndef MVR_ADDON_FUNCTIONS_H
#define MVR_ADDON_FUNCTIONS_H

#include <napi.h>

namespace mvr {

Napi::Value Layout(const Napi::CallbackInfo& info);
Napi::Value SweepSegment(const Napi::CallbackInfo& info);
Napi::Value GlibcVersion(const Napi::CallbackInfo& info);
Napi::Value DieWithParent(const Napi::CallbackInfo& info);
Napi::Value UnixSockets(const Napi::CallbackInfo& info);
// inspect.cc: what the diagnosis asks the kernel directly (ipc.h).
Napi::Value KcmpFile(const Napi::CallbackInfo& info);
Napi::Value KcmpVm(const Napi::CallbackInfo& info);
Napi::Value SemInfo(const Napi::CallbackInfo& info);
Napi::Value MsgQueueInfo(const Napi::CallbackInfo& info);

}  // namespace mvr

#endif
