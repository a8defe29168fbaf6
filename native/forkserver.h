#ifndef MVR_FORKSERVER_H
#define MVR_FORKSERVER_H

#ifdef __cplusplus
extern "C" {
#endif

/* Serves fork requests on stdin/stdout until EOF or `quit`; see forkserver.c. */
int mvr_serve(int parent_pid);

#ifdef __cplusplus
}
#endif

#endif
