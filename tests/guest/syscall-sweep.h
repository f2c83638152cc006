/* SPDX-License-Identifier: MIT */
/*
 * The x86_64 syscalls of Linux 6.12 (arch/x86/entry/syscalls/
 * syscall_64.tbl) with one kind letter per argument (syscall-sweep.c's
 * kinds[]), taken from their SYSCALL_DEFINE prototypes by the argument's
 * name and type; set by hand: IPC keys, ids and flags (never IPC_CREAT),
 * clone, capget/capset, mq_*, the rlimit calls. "-": left out; "?": no
 * call in 6.12 (six ints). 463-470 are newer than lx.
 */
/* clang-format off */
    { 0, "read", "FBN" }, /* fd, buf, count */
    { 1, "write", "FBN" }, /* fd, buf, count */
    { 2, "open", "PGM" }, /* filename, flags, mode */
    { 3, "close", "F" }, /* fd */
    { 4, "stat", "PB" }, /* filename, statbuf */
    { 5, "fstat", "FB" }, /* fd, statbuf */
    { 6, "lstat", "PB" }, /* filename, statbuf */
    { 7, "poll", "BII" }, /* ufds, nfds, timeout_msecs */
    { 8, "lseek", "FII" }, /* fd, offset, whence */
    { 9, "mmap", "INIGFI" }, /* addr, len, prot, flags, fd, off */
    { 10, "mprotect", "INI" }, /* start, len, prot */
    { 11, "munmap", "IN" }, /* addr, len */
    { 12, "brk", "I" }, /* brk */
    { 13, "rt_sigaction", "SBBZ" }, /* sig, act, oact, sigsetsize */
    { 14, "rt_sigprocmask", "IBBZ" }, /* how, nset, oset, sigsetsize */
    { 15, "rt_sigreturn", "" },
    { 16, "ioctl", "FII" }, /* fd, cmd, arg */
    { 17, "pread64", "FBNI" }, /* fd, buf, count, pos */
    { 18, "pwrite64", "FBNI" }, /* fd, buf, count, pos */
    { 19, "readv", "FBN" }, /* fd, vec, vlen */
    { 20, "writev", "FBN" }, /* fd, vec, vlen */
    { 21, "access", "PM" }, /* filename, mode */
    { 22, "pipe", "B" }, /* fildes */
    { 23, "select", "IBBBB" }, /* n, inp, outp, exp, tvp */
    { 24, "sched_yield", "" },
    { 25, "mremap", "INNGI" }, /* addr, old_len, new_len, flags, new_addr */
    { 26, "msync", "ING" }, /* start, len, flags */
    { 27, "mincore", "INB" }, /* start, len, vec */
    { 28, "madvise", "INI" }, /* start, len_in, behavior */
    { 29, "shmget", "KNW" }, /* key, size, shmflg */
    { 30, "shmat", "QBW" }, /* shmid, shmaddr, shmflg */
    { 31, "shmctl", "QCB" }, /* shmid, cmd, buf */
    { 32, "dup", "F" }, /* fildes */
    { 33, "dup2", "FF" }, /* oldfd, newfd */
    { 34, "pause", "" },
    { 35, "nanosleep", "BB" }, /* rqtp, rmtp */
    { 36, "getitimer", "IB" }, /* which, value */
    { 37, "alarm", "I" }, /* seconds */
    { 38, "setitimer", "IBB" }, /* which, value, ovalue */
    { 39, "getpid", "" },
    { 40, "sendfile", "FFBN" }, /* out_fd, in_fd, offset, count */
    { 41, "socket", "III" }, /* family, type, protocol */
    { 42, "connect", "FBN" }, /* fd, uservaddr, addrlen */
    { 43, "accept", "FBB" }, /* fd, upeer_sockaddr, upeer_addrlen */
    { 44, "sendto", "FBNGBN" }, /* fd, buff, len, flags, addr, addr_len */
    { 45, "recvfrom", "FBNGBB" }, /* fd, ubuf, size, flags, addr, addr_len */
    { 46, "sendmsg", "FBG" }, /* fd, msg, flags */
    { 47, "recvmsg", "FBG" }, /* fd, msg, flags */
    { 48, "shutdown", "FI" }, /* fd, how */
    { 49, "bind", "FBN" }, /* fd, umyaddr, addrlen */
    { 50, "listen", "FI" }, /* fd, backlog */
    { 51, "getsockname", "FBB" }, /* fd, usockaddr, usockaddr_len */
    { 52, "getpeername", "FBB" }, /* fd, usockaddr, usockaddr_len */
    { 53, "socketpair", "IIIB" }, /* family, type, protocol, usockvec */
    { 54, "setsockopt", "FIIBN" }, /* fd, level, optname, optval, optlen */
    { 55, "getsockopt", "FIIBB" }, /* fd, level, optname, optval, optlen */
    { 56, "clone", "GIBBI" }, /* clone_flags, newsp, parent_tidptr, child_tidptr, tls */
    { 57, "fork", "" },
    { 58, "vfork", "-" },
    { 59, "execve", "PBB" }, /* filename, argv, envp */
    { 60, "exit", "I" }, /* error_code */
    { 61, "wait4", "XBIB" }, /* upid, stat_addr, options, ru */
    { 62, "kill", "XS" }, /* pid, sig */
    { 63, "uname", "B" }, /* name */
    { 64, "semget", "KIW" }, /* key, nsems, semflg */
    { 65, "semop", "QBN" }, /* semid, tsops, nsops */
    { 66, "semctl", "QICI" }, /* semid, semnum, cmd, arg */
    { 67, "shmdt", "B" }, /* shmaddr */
    { 68, "msgget", "KW" }, /* key, msgflg */
    { 69, "msgsnd", "QBNW" }, /* msqid, msgp, msgsz, msgflg */
    { 70, "msgrcv", "QBNIW" }, /* msqid, msgp, msgsz, msgtyp, msgflg */
    { 71, "msgctl", "QCB" }, /* msqid, cmd, buf */
    { 72, "fcntl", "FII" }, /* fd, cmd, arg */
    { 73, "flock", "FI" }, /* fd, cmd */
    { 74, "fsync", "F" }, /* fd */
    { 75, "fdatasync", "F" }, /* fd */
    { 76, "truncate", "PN" }, /* path, length */
    { 77, "ftruncate", "FN" }, /* fd, length */
    { 78, "getdents", "FBN" }, /* fd, dirent, count */
    { 79, "getcwd", "BN" }, /* buf, size */
    { 80, "chdir", "P" }, /* filename */
    { 81, "fchdir", "F" }, /* fd */
    { 82, "rename", "PP" }, /* oldname, newname */
    { 83, "mkdir", "PM" }, /* pathname, mode */
    { 84, "rmdir", "P" }, /* pathname */
    { 85, "creat", "PM" }, /* pathname, mode */
    { 86, "link", "PP" }, /* oldname, newname */
    { 87, "unlink", "P" }, /* pathname */
    { 88, "symlink", "PP" }, /* oldname, newname */
    { 89, "readlink", "PBN" }, /* path, buf, bufsiz */
    { 90, "chmod", "PM" }, /* filename, mode */
    { 91, "fchmod", "FM" }, /* fd, mode */
    { 92, "chown", "PUU" }, /* filename, user, group */
    { 93, "fchown", "FUU" }, /* fd, user, group */
    { 94, "lchown", "PUU" }, /* filename, user, group */
    { 95, "umask", "I" }, /* mask */
    { 96, "gettimeofday", "BB" }, /* tv, tz */
    { 97, "getrlimit", "RB" }, /* resource, rlim */
    { 98, "getrusage", "IB" }, /* who, ru */
    { 99, "sysinfo", "B" }, /* info */
    { 100, "times", "B" }, /* tbuf */
    { 101, "ptrace", "IXII" }, /* request, pid, addr, data */
    { 102, "getuid", "" },
    { 103, "syslog", "IBN" }, /* type, buf, len */
    { 104, "getgid", "" },
    { 105, "setuid", "U" }, /* uid */
    { 106, "setgid", "U" }, /* gid */
    { 107, "geteuid", "" },
    { 108, "getegid", "" },
    { 109, "setpgid", "XX" }, /* pid, pgid */
    { 110, "getppid", "" },
    { 111, "getpgrp", "" },
    { 112, "setsid", "" },
    { 113, "setreuid", "UU" }, /* ruid, euid */
    { 114, "setregid", "UU" }, /* rgid, egid */
    { 115, "getgroups", "NB" }, /* gidsetsize, grouplist */
    { 116, "setgroups", "NB" }, /* gidsetsize, grouplist */
    { 117, "setresuid", "UUU" }, /* ruid, euid, suid */
    { 118, "getresuid", "BBB" }, /* ruidp, euidp, suidp */
    { 119, "setresgid", "UUU" }, /* rgid, egid, sgid */
    { 120, "getresgid", "BBB" }, /* rgidp, egidp, sgidp */
    { 121, "getpgid", "X" }, /* pid */
    { 122, "setfsuid", "U" }, /* uid */
    { 123, "setfsgid", "U" }, /* gid */
    { 124, "getsid", "X" }, /* pid */
    { 125, "capget", "BB" }, /* header, dataptr */
    { 126, "capset", "BB" }, /* header, data */
    { 127, "rt_sigpending", "BZ" }, /* uset, sigsetsize */
    { 128, "rt_sigtimedwait", "BBBZ" }, /* uthese, uinfo, uts, sigsetsize */
    { 129, "rt_sigqueueinfo", "XSB" }, /* pid, sig, uinfo */
    { 130, "rt_sigsuspend", "BZ" }, /* unewset, sigsetsize */
    { 131, "sigaltstack", "BB" }, /* uss, uoss */
    { 132, "utime", "PB" }, /* filename, times */
    { 133, "mknod", "PMI" }, /* filename, mode, dev */
    { 134, "uselib", "P" }, /* library */
    { 135, "personality", "I" }, /* personality */
    { 136, "ustat", "IB" }, /* dev, ubuf */
    { 137, "statfs", "PB" }, /* pathname, buf */
    { 138, "fstatfs", "FB" }, /* fd, buf */
    { 139, "sysfs", "III" }, /* option, arg1, arg2 */
    { 140, "getpriority", "II" }, /* which, who */
    { 141, "setpriority", "III" }, /* which, who, niceval */
    { 142, "sched_setparam", "XB" }, /* pid, param */
    { 143, "sched_getparam", "XB" }, /* pid, param */
    { 144, "sched_setscheduler", "XIB" }, /* pid, policy, param */
    { 145, "sched_getscheduler", "X" }, /* pid */
    { 146, "sched_get_priority_max", "I" }, /* policy */
    { 147, "sched_get_priority_min", "I" }, /* policy */
    { 148, "sched_rr_get_interval", "XB" }, /* pid, interval */
    { 149, "mlock", "IN" }, /* start, len */
    { 150, "munlock", "IN" }, /* start, len */
    { 151, "mlockall", "G" }, /* flags */
    { 152, "munlockall", "" },
    { 153, "vhangup", "" },
    { 154, "modify_ldt", "IBN" }, /* func, ptr, bytecount */
    { 155, "pivot_root", "PP" }, /* new_root, put_old */
    { 156, "_sysctl", "" },
    { 157, "prctl", "IIIII" }, /* option, arg2, arg3, arg4, arg5 */
    { 158, "arch_prctl", "II" }, /* option, arg2 */
    { 159, "adjtimex", "B" }, /* txc_p */
    { 160, "setrlimit", "RB" }, /* resource, rlim */
    { 161, "chroot", "P" }, /* filename */
    { 162, "sync", "" },
    { 163, "acct", "P" }, /* name */
    { 164, "settimeofday", "BB" }, /* tv, tz */
    { 165, "mount", "PPPGB" }, /* dev_name, dir_name, type, flags, data */
    { 166, "umount2", "PG" }, /* name, flags */
    { 167, "swapon", "PG" }, /* specialfile, swap_flags */
    { 168, "swapoff", "P" }, /* specialfile */
    { 169, "reboot", "-" }, /* magic1, magic2, cmd, arg */
    { 170, "sethostname", "PN" }, /* name, len */
    { 171, "setdomainname", "PN" }, /* name, len */
    { 172, "iopl", "I" }, /* level */
    { 173, "ioperm", "III" }, /* from, num, turn_on */
    { 174, "create_module", "?" },
    { 175, "init_module", "BNB" }, /* umod, len, uargs */
    { 176, "delete_module", "PG" }, /* name_user, flags */
    { 177, "get_kernel_syms", "?" },
    { 178, "query_module", "?" },
    { 179, "quotactl", "IPIB" }, /* cmd, special, id, addr */
    { 180, "nfsservctl", "?" },
    { 181, "getpmsg", "?" },
    { 182, "putpmsg", "?" },
    { 183, "afs_syscall", "?" },
    { 184, "tuxcall", "?" },
    { 185, "security", "?" },
    { 186, "gettid", "" },
    { 187, "readahead", "FIN" }, /* fd, offset, count */
    { 188, "setxattr", "PPBNG" }, /* pathname, name, value, size, flags */
    { 189, "lsetxattr", "PPBNG" }, /* pathname, name, value, size, flags */
    { 190, "fsetxattr", "FPBNG" }, /* fd, name, value, size, flags */
    { 191, "getxattr", "PPBN" }, /* pathname, name, value, size */
    { 192, "lgetxattr", "PPBN" }, /* pathname, name, value, size */
    { 193, "fgetxattr", "FPBN" }, /* fd, name, value, size */
    { 194, "listxattr", "PBN" }, /* pathname, list, size */
    { 195, "llistxattr", "PBN" }, /* pathname, list, size */
    { 196, "flistxattr", "FBN" }, /* fd, list, size */
    { 197, "removexattr", "PP" }, /* pathname, name */
    { 198, "lremovexattr", "PP" }, /* pathname, name */
    { 199, "fremovexattr", "FP" }, /* fd, name */
    { 200, "tkill", "XS" }, /* pid, sig */
    { 201, "time", "B" }, /* tloc */
    { 202, "futex", "BIIBBI" }, /* uaddr, op, val, utime, uaddr2, val3 */
    { 203, "sched_setaffinity", "XNB" }, /* pid, len, user_mask_ptr */
    { 204, "sched_getaffinity", "XNB" }, /* pid, len, user_mask_ptr */
    { 205, "set_thread_area", "B" }, /* u_info */
    { 206, "io_setup", "IB" }, /* nr_events, ctxp */
    { 207, "io_destroy", "I" }, /* ctx */
    { 208, "io_getevents", "IIIBB" }, /* ctx_id, min_nr, nr, events, timeout */
    { 209, "io_submit", "IIB" }, /* ctx_id, nr, iocbpp */
    { 210, "io_cancel", "IBB" }, /* ctx_id, iocb, result */
    { 211, "get_thread_area", "B" }, /* u_info */
    { 212, "lookup_dcookie", "?" },
    { 213, "epoll_create", "N" }, /* size */
    { 214, "epoll_ctl_old", "?" },
    { 215, "epoll_wait_old", "?" },
    { 216, "remap_file_pages", "INIIG" }, /* start, size, prot, pgoff, flags */
    { 217, "getdents64", "FBN" }, /* fd, dirent, count */
    { 218, "set_tid_address", "B" }, /* tidptr */
    { 219, "restart_syscall", "" },
    { 220, "semtimedop", "QBNB" }, /* semid, tsops, nsops, timeout */
    { 221, "fadvise64", "FINI" }, /* fd, offset, len, advice */
    { 222, "timer_create", "IBB" }, /* which_clock, timer_event_spec, created_timer_id */
    { 223, "timer_settime", "IGBB" }, /* timer_id, flags, new_setting, old_setting */
    { 224, "timer_gettime", "IB" }, /* timer_id, setting */
    { 225, "timer_getoverrun", "I" }, /* timer_id */
    { 226, "timer_delete", "I" }, /* timer_id */
    { 227, "clock_settime", "IB" }, /* which_clock, tp */
    { 228, "clock_gettime", "IB" }, /* which_clock, tp */
    { 229, "clock_getres", "IB" }, /* which_clock, tp */
    { 230, "clock_nanosleep", "IGBB" }, /* which_clock, flags, rqtp, rmtp */
    { 231, "exit_group", "I" }, /* error_code */
    { 232, "epoll_wait", "FBII" }, /* epfd, events, maxevents, timeout */
    { 233, "epoll_ctl", "FIFB" }, /* epfd, op, fd, event */
    { 234, "tgkill", "XXS" }, /* tgid, pid, sig */
    { 235, "utimes", "PB" }, /* filename, utimes */
    { 236, "vserver", "?" },
    { 237, "mbind", "INMBIG" }, /* start, len, mode, nmask, maxnode, flags */
    { 238, "set_mempolicy", "MBI" }, /* mode, nmask, maxnode */
    { 239, "get_mempolicy", "BBIIG" }, /* policy, nmask, maxnode, addr, flags */
    { 240, "mq_open", "PWMB" }, /* u_name, oflag, mode, u_attr */
    { 241, "mq_unlink", "P" }, /* u_name */
    { 242, "mq_timedsend", "FBNIB" }, /* mqdes, u_msg_ptr, msg_len, msg_prio, u_abs_timeout */
    { 243, "mq_timedreceive", "FBNBB" }, /* mqdes, u_msg_ptr, msg_len, u_msg_prio, u_abs_timeout */
    { 244, "mq_notify", "FB" }, /* mqdes, u_notification */
    { 245, "mq_getsetattr", "FBB" }, /* mqdes, u_mqstat, u_omqstat */
    { 246, "kexec_load", "IIBG" }, /* entry, nr_segments, segments, flags */
    { 247, "waitid", "IXBIB" }, /* which, upid, infop, options, ru */
    { 248, "add_key", "PBBNI" }, /* _type, _description, _payload, plen, ringid */
    { 249, "request_key", "PBBI" }, /* _type, _description, _callout_info, destringid */
    { 250, "keyctl", "IIIII" }, /* option, arg2, arg3, arg4, arg5 */
    { 251, "ioprio_set", "III" }, /* which, who, ioprio */
    { 252, "ioprio_get", "II" }, /* which, who */
    { 253, "inotify_init", "" },
    { 254, "inotify_add_watch", "FPI" }, /* fd, pathname, mask */
    { 255, "inotify_rm_watch", "FI" }, /* fd, wd */
    { 256, "migrate_pages", "XIBB" }, /* pid, maxnode, old_nodes, new_nodes */
    { 257, "openat", "DPGM" }, /* dfd, filename, flags, mode */
    { 258, "mkdirat", "DPM" }, /* dfd, pathname, mode */
    { 259, "mknodat", "DPMI" }, /* dfd, filename, mode, dev */
    { 260, "fchownat", "DPUUG" }, /* dfd, filename, user, group, flag */
    { 261, "futimesat", "DPB" }, /* dfd, filename, utimes */
    { 262, "newfstatat", "DPBG" }, /* dfd, filename, statbuf, flag */
    { 263, "unlinkat", "DPG" }, /* dfd, pathname, flag */
    { 264, "renameat", "DPDP" }, /* olddfd, oldname, newdfd, newname */
    { 265, "linkat", "DPDPG" }, /* olddfd, oldname, newdfd, newname, flags */
    { 266, "symlinkat", "PDP" }, /* oldname, newdfd, newname */
    { 267, "readlinkat", "DPBN" }, /* dfd, pathname, buf, bufsiz */
    { 268, "fchmodat", "DPM" }, /* dfd, filename, mode */
    { 269, "faccessat", "DPM" }, /* dfd, filename, mode */
    { 270, "pselect6", "IBBBBB" }, /* n, inp, outp, exp, tsp, sig */
    { 271, "ppoll", "BIBBZ" }, /* ufds, nfds, tsp, sigmask, sigsetsize */
    { 272, "unshare", "G" }, /* unshare_flags */
    { 273, "set_robust_list", "BN" }, /* head, len */
    { 274, "get_robust_list", "XBB" }, /* pid, head_ptr, len_ptr */
    { 275, "splice", "FBFBNG" }, /* fd_in, off_in, fd_out, off_out, len, flags */
    { 276, "tee", "IING" }, /* fdin, fdout, len, flags */
    { 277, "sync_file_range", "FING" }, /* fd, offset, nbytes, flags */
    { 278, "vmsplice", "FBIG" }, /* fd, uiov, nr_segs, flags */
    { 279, "move_pages", "XIBBBG" }, /* pid, nr_pages, pages, nodes, status, flags */
    { 280, "utimensat", "DPBG" }, /* dfd, filename, utimes, flags */
    { 281, "epoll_pwait", "FBIIBZ" }, /* epfd, events, maxevents, timeout, sigmask, sigsetsize */
    { 282, "signalfd", "FBN" }, /* ufd, user_mask, sizemask */
    { 283, "timerfd_create", "IG" }, /* clockid, flags */
    { 284, "eventfd", "N" }, /* count */
    { 285, "fallocate", "FMIN" }, /* fd, mode, offset, len */
    { 286, "timerfd_settime", "FGBB" }, /* ufd, flags, utmr, otmr */
    { 287, "timerfd_gettime", "FB" }, /* ufd, otmr */
    { 288, "accept4", "FBBG" }, /* fd, upeer_sockaddr, upeer_addrlen, flags */
    { 289, "signalfd4", "FBNG" }, /* ufd, user_mask, sizemask, flags */
    { 290, "eventfd2", "NG" }, /* count, flags */
    { 291, "epoll_create1", "G" }, /* flags */
    { 292, "dup3", "FFG" }, /* oldfd, newfd, flags */
    { 293, "pipe2", "BG" }, /* fildes, flags */
    { 294, "inotify_init1", "G" }, /* flags */
    { 295, "preadv", "FBNII" }, /* fd, vec, vlen, pos_l, pos_h */
    { 296, "pwritev", "FBNII" }, /* fd, vec, vlen, pos_l, pos_h */
    { 297, "rt_tgsigqueueinfo", "XXSB" }, /* tgid, pid, sig, uinfo */
    { 298, "perf_event_open", "BXIFG" }, /* attr_uptr, pid, cpu, group_fd, flags */
    { 299, "recvmmsg", "FBNGB" }, /* fd, mmsg, vlen, flags, timeout */
    { 300, "fanotify_init", "GG" }, /* flags, event_f_flags */
    { 301, "fanotify_mark", "FGIDP" }, /* fanotify_fd, flags, mask, dfd, pathname */
    { 302, "prlimit64", "XRBB" }, /* pid, resource, new_rlim, old_rlim */
    { 303, "name_to_handle_at", "DPBBG" }, /* dfd, name, handle, mnt_id, flag */
    { 304, "open_by_handle_at", "FBG" }, /* mountdirfd, handle, flags */
    { 305, "clock_adjtime", "IB" }, /* which_clock, utx */
    { 306, "syncfs", "F" }, /* fd */
    { 307, "sendmmsg", "FBNG" }, /* fd, mmsg, vlen, flags */
    { 308, "setns", "FG" }, /* fd, flags */
    { 309, "getcpu", "BBB" }, /* cpup, nodep, unused */
    { 310, "process_vm_readv", "XBIBIG" }, /* pid, lvec, liovcnt, rvec, riovcnt, flags */
    { 311, "process_vm_writev", "XBIBIG" }, /* pid, lvec, liovcnt, rvec, riovcnt, flags */
    { 312, "kcmp", "XXIII" }, /* pid1, pid2, type, idx1, idx2 */
    { 313, "finit_module", "FBG" }, /* fd, uargs, flags */
    { 314, "sched_setattr", "XBG" }, /* pid, uattr, flags */
    { 315, "sched_getattr", "XBNG" }, /* pid, uattr, usize, flags */
    { 316, "renameat2", "DPDPG" }, /* olddfd, oldname, newdfd, newname, flags */
    { 317, "seccomp", "IGB" }, /* op, flags, uargs */
    { 318, "getrandom", "BNG" }, /* ubuf, len, flags */
    { 319, "memfd_create", "PG" }, /* uname, flags */
    { 320, "kexec_file_load", "FFNBG" }, /* kernel_fd, initrd_fd, cmdline_len, cmdline_ptr, flags */
    { 321, "bpf", "IBN" }, /* cmd, uattr, size */
    { 322, "execveat", "DPBBG" }, /* fd, filename, argv, envp, flags */
    { 323, "userfaultfd", "G" }, /* flags */
    { 324, "membarrier", "IGI" }, /* cmd, flags, cpu_id */
    { 325, "mlock2", "ING" }, /* start, len, flags */
    { 326, "copy_file_range", "FBFBNG" }, /* fd_in, off_in, fd_out, off_out, len, flags */
    { 327, "preadv2", "FBNIIG" }, /* fd, vec, vlen, pos_l, pos_h, flags */
    { 328, "pwritev2", "FBNIIG" }, /* fd, vec, vlen, pos_l, pos_h, flags */
    { 329, "pkey_mprotect", "INII" }, /* start, len, prot, pkey */
    { 330, "pkey_alloc", "GI" }, /* flags, init_val */
    { 331, "pkey_free", "I" }, /* pkey */
    { 332, "statx", "DPGIB" }, /* dfd, filename, flags, mask, buffer */
    { 333, "io_pgetevents", "IIIBBB" }, /* ctx_id, min_nr, nr, events, timeout, usig */
    { 334, "rseq", "BNGS" }, /* rseq, rseq_len, flags, sig */
    { 335, "uretprobe", "" },
    { 424, "pidfd_send_signal", "FSBG" }, /* pidfd, sig, info, flags */
    { 425, "io_uring_setup", "IB" }, /* entries, params */
    { 426, "io_uring_enter", "FIIGBI" }, /* fd, to_submit, min_complete, flags, argp, argsz */
    { 427, "io_uring_register", "FIBI" }, /* fd, opcode, arg, nr_args */
    { 428, "open_tree", "DPG" }, /* dfd, filename, flags */
    { 429, "move_mount", "DPDPG" }, /* from_dfd, from_pathname, to_dfd, to_pathname, flags */
    { 430, "fsopen", "PG" }, /* _fs_name, flags */
    { 431, "fsconfig", "FIBBI" }, /* fd, cmd, _key, _value, aux */
    { 432, "fsmount", "FGG" }, /* fs_fd, flags, attr_flags */
    { 433, "fspick", "DPG" }, /* dfd, path, flags */
    { 434, "pidfd_open", "XG" }, /* pid, flags */
    { 435, "clone3", "BN" }, /* uargs, size */
    { 436, "close_range", "FIG" }, /* fd, max_fd, flags */
    { 437, "openat2", "DPBN" }, /* dfd, filename, how, usize */
    { 438, "pidfd_getfd", "FFG" }, /* pidfd, fd, flags */
    { 439, "faccessat2", "DPMG" }, /* dfd, filename, mode, flags */
    { 440, "process_madvise", "FBNIG" }, /* pidfd, vec, vlen, behavior, flags */
    { 441, "epoll_pwait2", "FBIBBZ" }, /* epfd, events, maxevents, timeout, sigmask, sigsetsize */
    { 442, "mount_setattr", "DPGBN" }, /* dfd, path, flags, uattr, usize */
    { 443, "quotactl_fd", "FIIB" }, /* fd, cmd, id, addr */
    { 444, "landlock_create_ruleset", "BNG" }, /* attr, size, flags */
    { 445, "landlock_add_rule", "FIBG" }, /* ruleset_fd, rule_type, rule_attr, flags */
    { 446, "landlock_restrict_self", "FG" }, /* ruleset_fd, flags */
    { 447, "memfd_secret", "G" }, /* flags */
    { 448, "process_mrelease", "FG" }, /* pidfd, flags */
    { 449, "futex_waitv", "BIGBI" }, /* waiters, nr_futexes, flags, timeout, clockid */
    { 450, "set_mempolicy_home_node", "INIG" }, /* start, len, home_node, flags */
    { 451, "cachestat", "FBBG" }, /* fd, cstat_range, cstat, flags */
    { 452, "fchmodat2", "DPMG" }, /* dfd, filename, mode, flags */
    { 453, "map_shadow_stack", "ING" }, /* addr, size, flags */
    { 454, "futex_wake", "BIIG" }, /* uaddr, mask, nr, flags */
    { 455, "futex_wait", "BIIGBI" }, /* uaddr, val, mask, flags, timeout, clockid */
    { 456, "futex_requeue", "BGII" }, /* waiters, flags, nr_wake, nr_requeue */
    { 457, "statmount", "BBNG" }, /* req, buf, bufsize, flags */
    { 458, "listmount", "BBIG" }, /* req, mnt_ids, nr_mnt_ids, flags */
    { 459, "lsm_get_self_attr", "IBBG" }, /* attr, ctx, size, flags */
    { 460, "lsm_set_self_attr", "IBNG" }, /* attr, ctx, size, flags */
    { 461, "lsm_list_modules", "BBG" }, /* ids, size, flags */
    { 462, "mseal", "ING" }, /* start, len, flags */
    { 463, "nr463", "?" }, /* newer than 6.12 */
    { 464, "nr464", "?" }, /* newer than 6.12 */
    { 465, "nr465", "?" }, /* newer than 6.12 */
    { 466, "nr466", "?" }, /* newer than 6.12 */
    { 467, "nr467", "?" }, /* newer than 6.12 */
    { 468, "nr468", "?" }, /* newer than 6.12 */
    { 469, "nr469", "?" }, /* newer than 6.12 */
    { 470, "nr470", "?" }, /* newer than 6.12 */
    /* clang-format on */
