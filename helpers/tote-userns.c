/*
 * tote-userns: run a command inside a new user + mount namespace.
 *
 * Usage:
 *   tote-userns [--uid-map "C H N ..."] [--gid-map "C H N ..."]
 *               [--newuidmap PATH] [--newgidmap PATH] [--rootful]
 *               [--mount TYPE SOURCE TARGET OPTIONS]... [--chdir DIR]
 *               [--reap-orphans] [--join PID] [--netns] [--hook SHELL-COMMAND]
 *               -- COMMAND [ARG...]
 *
 * The child unshares a user namespace (unless --rootful) and a mount namespace,
 * and the parent maps it: a single triple "0 <own-id> 1" is written directly to
 * /proc/PID/{uid,gid}_map (setgroups denied, as the kernel requires for an
 * unprivileged writer); anything else goes through newuidmap/newgidmap, which
 * check /etc/subuid and /etc/subgid.  The child then becomes uid/gid 0, makes
 * every mount private, performs the requested mounts, and execs COMMAND.
 *
 * The parent forwards signals sent to it by other processes (not ones the
 * terminal already delivered to the whole process group) and exits with the
 * child's status: its exit code, or 128+N when it was killed by signal N.
 * With --reap-orphans it is also a child subreaper: daemons the command left
 * behind (such as fuse-overlayfs serving the container's rootfs) are
 * reparented to it and terminated once the command has exited, so nothing
 * outlives the helper. (Not for detached containers: their init must be
 * reparented to the monitor, not killed.)
 * With --netns the child also unshares a network namespace (owned by its
 * user namespace), which the container then shares. --hook runs a shell
 * command in the parent once the child's namespaces exist and are mapped,
 * before the child goes on, with TOTE_CHILD_PID in its environment: this
 * is where a network helper (pasta) is attached, so the network is up
 * before the container's first instruction. A failing hook stops the child.
 *
 * With --join PID the child enters the user namespace of process PID (a
 * running container's) instead of creating one, so `exec` and the runtime's
 * other verbs act with the same ids; it still gets a private mount namespace.
 * Exit 125 means the helper itself failed; 126/127 mean COMMAND could not be
 * executed / was not found.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "orphans.h"

#define MAX_MOUNTS 64
#define MAX_CGROUPS 16
#define MAX_MAP_ARGS 64

struct mount_req { const char *type, *source, *target, *options; };

static pid_t child_pid = -1;

static void die(const char *what) {
  fprintf(stderr, "tote-userns: %s: %s\n", what, strerror(errno));
  _exit(125);
}

static void forward_signal(int sig, siginfo_t *info, void *ctx) {
  (void)ctx;
  /* Terminal-generated signals (SI_KERNEL) already reached the child through
   * the process group; forwarding them again would deliver them twice. */
  if (child_pid > 0 && info && (info->si_code == SI_USER || info->si_code == SI_QUEUE || info->si_code == SI_TKILL))
    kill(child_pid, sig);
}

static int write_file(const char *path, const char *data) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = write(fd, data, strlen(data));
  int saved = errno;
  close(fd);
  errno = saved;
  return n == (ssize_t)strlen(data) ? 0 : -1;
}

/* A map is "direct" when it is one triple whose host id is our own id. */
static int is_direct_map(const char *map, unsigned own) {
  unsigned c, h, n;
  char extra;
  return sscanf(map, "%u %u %u %c", &c, &h, &n, &extra) == 3 && h == own && n == 1;
}

static int run_mapper(const char *prog, pid_t pid, const char *map) {
  char *argv[MAX_MAP_ARGS];
  char pidbuf[32], *copy = strdup(map), *save = NULL, *tok;
  int argc = 0;
  snprintf(pidbuf, sizeof pidbuf, "%d", (int)pid);
  argv[argc++] = (char *)prog;
  argv[argc++] = pidbuf;
  for (tok = strtok_r(copy, " \t\n", &save); tok && argc < MAX_MAP_ARGS - 1; tok = strtok_r(NULL, " \t\n", &save))
    argv[argc++] = tok;
  argv[argc] = NULL;
  pid_t p = fork();
  if (p < 0) return -1;
  if (p == 0) {
    execvp(prog, argv);
    fprintf(stderr, "tote-userns: cannot run %s: %s\n", prog, strerror(errno));
    _exit(127);
  }
  int st;
  while (waitpid(p, &st, 0) < 0 && errno == EINTR) {}
  free(copy);
  return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static int map_ids(pid_t pid, const char *uid_map, const char *gid_map,
                   const char *newuidmap, const char *newgidmap) {
  char path[64], buf[256];
  if (is_direct_map(uid_map, getuid())) {
    snprintf(path, sizeof path, "/proc/%d/uid_map", (int)pid);
    snprintf(buf, sizeof buf, "%s\n", uid_map);
    if (write_file(path, buf) < 0) { perror("tote-userns: writing uid_map"); return -1; }
  } else if (run_mapper(newuidmap, pid, uid_map) < 0) {
    fprintf(stderr, "tote-userns: %s failed for map \"%s\"\n", newuidmap, uid_map);
    return -1;
  }
  if (is_direct_map(gid_map, getgid())) {
    snprintf(path, sizeof path, "/proc/%d/setgroups", (int)pid);
    if (write_file(path, "deny") < 0 && errno != ENOENT) { perror("tote-userns: writing setgroups"); return -1; }
    snprintf(path, sizeof path, "/proc/%d/gid_map", (int)pid);
    snprintf(buf, sizeof buf, "%s\n", gid_map);
    if (write_file(path, buf) < 0) { perror("tote-userns: writing gid_map"); return -1; }
  } else if (run_mapper(newgidmap, pid, gid_map) < 0) {
    fprintf(stderr, "tote-userns: %s failed for map \"%s\"\n", newgidmap, gid_map);
    return -1;
  }
  return 0;
}

static int run_hook(const char *command, pid_t pid) {
  char pidbuf[32];
  snprintf(pidbuf, sizeof pidbuf, "%d", (int)pid);
  pid_t p = fork();
  if (p < 0) return -1;
  if (p == 0) {
    /* Ignored signals survive exec, and a shell cannot undo that: give the
     * hook (pasta refuses an ignored SIGPIPE) default dispositions. */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    setenv("TOTE_CHILD_PID", pidbuf, 1);
    execl("/bin/sh", "sh", "-c", command, (char *)NULL);
    _exit(127);
  }
  int st;
  while (waitpid(p, &st, 0) < 0 && errno == EINTR) {}
  if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return 0;
  fprintf(stderr, "tote-userns: hook failed (%s): %s\n", WIFEXITED(st) ? "exit status" : "signal", command);
  return -1;
}

static void usage(void) {
  fprintf(stderr, "usage: tote-userns [--uid-map MAP --gid-map MAP | --rootful | --join PID] [--netns] [--hook CMD] [--mount TYPE SRC DST OPTS]... [--cgroup PROCS_FILE]... [--chdir DIR] [--reap-orphans] -- CMD [ARG...]\n");
  _exit(125);
}

int main(int argc, char **argv) {
  const char *uid_map = NULL, *gid_map = NULL, *chdir_to = NULL;
  const char *newuidmap = "newuidmap", *newgidmap = "newgidmap";
  struct mount_req mounts[MAX_MOUNTS];
  const char *cgroups[MAX_CGROUPS];
  int ncgroups = 0;
  int nmounts = 0, rootful = 0, reap = 0, join_pid = 0, netns = 0, i;
  const char *hook = NULL;

  for (i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--")) { i++; break; }
    else if (!strcmp(a, "--uid-map") && i + 1 < argc) uid_map = argv[++i];
    else if (!strcmp(a, "--gid-map") && i + 1 < argc) gid_map = argv[++i];
    else if (!strcmp(a, "--newuidmap") && i + 1 < argc) newuidmap = argv[++i];
    else if (!strcmp(a, "--newgidmap") && i + 1 < argc) newgidmap = argv[++i];
    else if (!strcmp(a, "--chdir") && i + 1 < argc) chdir_to = argv[++i];
    else if (!strcmp(a, "--rootful")) rootful = 1;
    else if (!strcmp(a, "--reap-orphans")) reap = 1;
    else if (!strcmp(a, "--join") && i + 1 < argc) join_pid = atoi(argv[++i]);
    else if (!strcmp(a, "--netns")) netns = 1;
    else if (!strcmp(a, "--hook") && i + 1 < argc) hook = argv[++i];
    else if (!strcmp(a, "--cgroup") && i + 1 < argc && ncgroups < MAX_CGROUPS) cgroups[ncgroups++] = argv[++i];
    else if (!strcmp(a, "--mount") && i + 4 < argc && nmounts < MAX_MOUNTS) {
      mounts[nmounts].type = argv[i + 1];
      mounts[nmounts].source = argv[i + 2];
      mounts[nmounts].target = argv[i + 3];
      mounts[nmounts].options = argv[i + 4];
      nmounts++;
      i += 4;
    } else usage();
  }
  if (i >= argc) usage();
  if (!rootful && !join_pid && (!uid_map || !gid_map)) usage();
  char **cmd = argv + i;

  if (reap) prctl(PR_SET_CHILD_SUBREAPER, 1);
  int ready[2], go[2];
  if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(go, O_CLOEXEC) < 0) die("pipe");

  child_pid = fork();
  if (child_pid < 0) die("fork");
  if (child_pid == 0) {
    char c = 'R';
    close(ready[0]);
    close(go[1]);
    /* Die with the parent while still being set up; exec keeps this setting,
     * which is what we want: the helper owns its child's lifetime. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    /* Join the container's cgroup while still in the caller's user namespace,
     * where the delegated cgroup files are ours to write: the runtime and the
     * container inherit it ("0" moves the writing process). */
    for (int g = 0; g < ncgroups; g++) {
      if (write_file(cgroups[g], "0") < 0) {
        fprintf(stderr, "tote-userns: join cgroup %s: %s\n", cgroups[g], strerror(errno));
        _exit(125);
      }
    }
    if (join_pid > 0 && !rootful) {
      char nspath[64];
      snprintf(nspath, sizeof nspath, "/proc/%d/ns/user", join_pid);
      int nsfd = open(nspath, O_RDONLY | O_CLOEXEC);
      if (nsfd < 0) die("open the container's user namespace");
      if (setns(nsfd, CLONE_NEWUSER) < 0) die("join the container's user namespace");
      close(nsfd);
      if (unshare(CLONE_NEWNS) < 0) die("unshare");
    } else if (unshare((rootful ? CLONE_NEWNS : (CLONE_NEWUSER | CLONE_NEWNS)) | (netns ? CLONE_NEWNET : 0)) < 0) die("unshare");
    if (write(ready[1], &c, 1) != 1) die("signal parent");
    if (read(go[0], &c, 1) != 1 || c != 'G') _exit(125); /* mapping failed, parent said why */
    if (!rootful) {
      if (setresgid(0, 0, 0) < 0) die("setresgid");
      if (setresuid(0, 0, 0) < 0) die("setresuid");
    }
    if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) die("make mounts private");
    for (int m = 0; m < nmounts; m++) {
      unsigned long flags = 0;
      const char *opts = mounts[m].options;
      if (!strcmp(mounts[m].type, "bind")) { flags = MS_BIND | MS_REC; opts = NULL; }
      if (mount(mounts[m].source, mounts[m].target, flags ? NULL : mounts[m].type, flags,
                opts && *opts ? opts : NULL) < 0) {
        fprintf(stderr, "tote-userns: mount %s on %s: %s\n", mounts[m].type, mounts[m].target, strerror(errno));
        _exit(125);
      }
    }
    if (chdir_to && chdir(chdir_to) < 0) die("chdir");
    execvp(cmd[0], cmd);
    int err = errno;
    fprintf(stderr, "tote-userns: %s: %s\n", cmd[0], strerror(err));
    _exit(err == ENOENT ? 127 : 126);
  }

  close(ready[1]);
  close(go[0]);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = forward_signal;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&sa.sa_mask);
  int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT, SIGALRM};
  for (unsigned s = 0; s < sizeof sigs / sizeof sigs[0]; s++) sigaction(sigs[s], &sa, NULL);

  char c;
  ssize_t n;
  while ((n = read(ready[0], &c, 1)) < 0 && errno == EINTR) {}
  int ok = n == 1;
  if (ok && !rootful && !join_pid) ok = map_ids(child_pid, uid_map, gid_map, newuidmap, newgidmap) == 0;
  if (ok && hook) ok = run_hook(hook, child_pid) == 0;
  c = ok ? 'G' : 'X';
  if (write(go[1], &c, 1) != 1) ok = 0;
  close(go[1]);

  int st;
  while (waitpid(child_pid, &st, 0) < 0) {
    if (errno != EINTR) die("waitpid");
  }
  if (reap) end_orphans();
  if (!ok) return 125;
  if (WIFEXITED(st)) return WEXITSTATUS(st);
  if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
  return 125;
}
