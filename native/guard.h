/* `mvar-worker guard`: removes a CLI's temporary files if it dies mid-write (guard.c). */
#ifndef MVR_GUARD_H
#define MVR_GUARD_H

/* Watches parent_pid; when it dies, unlinks the temporaries of dir/name it made meanwhile. */
int mvr_guard(int parent_pid, const char *dir, const char *name);

#endif
