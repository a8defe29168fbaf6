/*
 * A shared library for test/c/lockorder.c abba-lib: the locks are taken
 * inside a library, so the check must name a function and line in it.
 */
#include <pthread.h>

void lockpair_take(pthread_mutex_t *first, pthread_mutex_t *second) {
  pthread_mutex_lock(first);
  pthread_mutex_lock(second);
  pthread_mutex_unlock(second);
  pthread_mutex_unlock(first);
}
