// See ipc.h.
#define _GNU_SOURCE
#include "ipc.h"

#include <errno.h>
#include <linux/kcmp.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/syscall.h>
#include <unistd.h>

int mvr_kcmp_file(int pid1, int fd1, int pid2, int fd2) {
  long r = syscall(SYS_kcmp, (pid_t)pid1, (pid_t)pid2, KCMP_FILE, (unsigned long)fd1, (unsigned long)fd2);
  if (r < 0) return -errno;
  return r == 0 ? 0 : 1;
}

int mvr_kcmp_vm(int pid1, int pid2) {
  long r = syscall(SYS_kcmp, (pid_t)pid1, (pid_t)pid2, KCMP_VM, 0UL, 0UL);
  if (r < 0) return -errno;
  return (int)r;
}

/* <sys/sem.h> leaves union semun to the caller (SUSv3). */
union mvr_semun {
  int val;
  struct semid_ds* buf;
  unsigned short* array;
};

long mvr_sem_info(int semid, mvr_sem* out, size_t cap) {
  struct semid_ds ds;
  union mvr_semun arg = {.buf = &ds};
  if (semctl(semid, 0, IPC_STAT, arg) < 0) return -errno;
  size_t n = ds.sem_nsems;
  for (size_t i = 0; i < n && i < cap; i++) {
    int v = semctl(semid, (int)i, GETVAL);
    int p = semctl(semid, (int)i, GETPID);
    int nc = semctl(semid, (int)i, GETNCNT);
    int zc = semctl(semid, (int)i, GETZCNT);
    if (v < 0 || p < 0 || nc < 0 || zc < 0) return -errno;
    out[i] = (mvr_sem){.value = v, .pid = p, .ncnt = nc, .zcnt = zc};
  }
  return (long)n;
}

int mvr_msq_info(int msqid, mvr_msq* out) {
  struct msqid_ds ds;
  if (msgctl(msqid, IPC_STAT, &ds) < 0) return -errno;
  *out = (mvr_msq){.qnum = ds.msg_qnum, .qbytes = ds.msg_qbytes, .lspid = ds.msg_lspid, .lrpid = ds.msg_lrpid};
  return 0;
}
