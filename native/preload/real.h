/*
 * glibc's own entry points behind the interposed pthread and semaphore
 * calls, shared by interpose.c (mutexes, init, _exit), interpose_cond.c and
 * interpose_sem.c. Resolved in the library's constructor, or at the first
 * call if another library's constructor locks something before ours ran.
 */
#ifndef MVR_PRELOAD_REAL_H
#define MVR_PRELOAD_REAL_H

#include <pthread.h>
#include <semaphore.h>
#include <time.h>

struct pl_real {
  int (*mutex_init)(pthread_mutex_t *, const pthread_mutexattr_t *);
  int (*mutex_destroy)(pthread_mutex_t *);
  int (*mutex_lock)(pthread_mutex_t *);
  int (*mutex_trylock)(pthread_mutex_t *);
  int (*mutex_timedlock)(pthread_mutex_t *, const struct timespec *);
  int (*mutex_clocklock)(pthread_mutex_t *, clockid_t, const struct timespec *);
  int (*mutex_unlock)(pthread_mutex_t *);
  int (*cond_init)(pthread_cond_t *, const pthread_condattr_t *);
  int (*cond_destroy)(pthread_cond_t *);
  int (*cond_wait)(pthread_cond_t *, pthread_mutex_t *);
  int (*cond_timedwait)(pthread_cond_t *, pthread_mutex_t *, const struct timespec *);
  int (*cond_clockwait)(pthread_cond_t *, pthread_mutex_t *, clockid_t, const struct timespec *);
  int (*cond_signal)(pthread_cond_t *);
  int (*cond_broadcast)(pthread_cond_t *);
  int (*sem_init)(sem_t *, int, unsigned);
  int (*sem_destroy)(sem_t *);
  int (*sem_wait)(sem_t *);
  int (*sem_timedwait)(sem_t *, const struct timespec *);
  int (*sem_clockwait)(sem_t *, clockid_t, const struct timespec *);
  int (*sem_trywait)(sem_t *);
  int (*sem_post)(sem_t *);
  void (*exit_now)(int);
};
extern struct pl_real pl_real;
void pl_resolve(void);

#define REAL(f) (__builtin_expect(pl_real.f != NULL, 1) ? pl_real.f : (pl_resolve(), pl_real.f))
#define CALLER __builtin_return_address(0)

/* A call that cannot block (init, destroy): one event, after it. */
void pl_call_done(uint16_t op, const void *prim, int rc, int err, const void *aux);

#endif
