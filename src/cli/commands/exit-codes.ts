export const EXIT_CODES_HELP = `Exit codes:
  0    no hang (diff: equivalent; diagnose: nothing stuck)
  1    hang reproduced (diff: divergent; diagnose: a finding);
       with --expect hang: 0 when a hang reproduced, 1 when none did
  2    usage error: bad N, unknown flag or value, bad duration, unreadable or foreign input
  3    environment or internal error: addon missing, cannot create a segment, cannot inspect
  4    a process failed (crashed or exited non-zero) and nothing hung
  130  interrupted (Ctrl-C); 143 on SIGTERM`;
