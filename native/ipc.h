// What the diagnosis asks the kernel directly, where /proc does not say it.
//
//   kcmp(KCMP_VM)    whether two processes share one address space: a private
//                    futex is keyed by it, so such a process can wake the other.
//   kcmp(KCMP_FILE)  whether two descriptors (of two processes) are one open
//                    file description: an eventfd, timerfd or signalfd shows
//                    in /proc only as "anon_inode:[timerfd]", the same text
//                    for every such object, so who else holds *this* one is
//                    asked of the kernel. Needs ptrace read access to both.
//   semctl           a System V semaphore set's values, and per semaphore the
//                    pid of its last operator (GETPID) and how many wait for
//                    it to grow (GETNCNT) or to reach zero (GETZCNT).
//   msgctl           a System V message queue's length and its last sender
//                    and receiver.
// Each returns -errno on failure; nothing here blocks or allocates.
#ifndef MVR_IPC_H
#define MVR_IPC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 0: the same open file description; 1: different; -errno: cannot tell. */
int mvr_kcmp_file(int pid1, int fd1, int pid2, int fd2);

/* kcmp's order of the two address spaces: 0 one and the same (clone with CLONE_VM, vfork), 1 the first
 * sorts before, 2 after (a total order the kernel keeps, so address spaces can be sorted); -errno. */
int mvr_kcmp_vm(int pid1, int pid2);

typedef struct {
  int32_t value;
  int32_t pid;  /* last operator (sempid) */
  int32_t ncnt; /* waiting for the value to increase */
  int32_t zcnt; /* waiting for the value to become zero */
} mvr_sem;

/* Fills up to cap semaphores of set semid; returns the set's size, or -errno. */
long mvr_sem_info(int semid, mvr_sem* out, size_t cap);

typedef struct {
  uint64_t qnum;   /* messages queued */
  uint64_t qbytes; /* capacity in bytes */
  int32_t lspid;   /* last msgsnd */
  int32_t lrpid;   /* last msgrcv */
} mvr_msq;

int mvr_msq_info(int msqid, mvr_msq* out);

#ifdef __cplusplus
}
#endif
#endif
