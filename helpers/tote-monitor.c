/*
 * tote-monitor: owns one detached container for its whole life (tote's
 * counterpart of podman's conmon). It is small on purpose: its RSS is paid
 * once per running container.
 *
 * Usage:
 *   tote-monitor --exit-file PATH --log-file PATH --attach-socket PATH
 *                --pid-file PATH [--console-socket PATH] [--stdin]
 *                [--sync-fd N] [--wait-attach] [--cleanup ARG]... -- RUNTIME-COMMAND...
 *
 * RUNTIME-COMMAND starts the container detached (e.g. tote-userns … --
 * runc run -d --pid-file PATH [--console-socket PATH] ID) and exits; the
 * container's init is then reparented to us, because we are a child
 * subreaper. With --console-socket we receive the pty master over
 * SCM_RIGHTS; without it the container's stdout/stderr are our pipes (and
 * stdin too with --stdin).
 *
 * With --wait-attach the runtime is started only once a first attach client
 * has connected, so a foreground `run` sees all of the container's output.
 * With --cleanup-unless-attached, the cleanup command is skipped when that
 * first client is still connected at the end and got the exit frame: the
 * foreground CLI then cleans up itself (one process start less), and the
 * monitor still does it if that CLI died.
 * Once the container runs, "ready PID\n" is written to the sync fd (or
 * "error STATUS\n" when the runtime failed), so the caller can return.
 * Output is written to the log file in the k8s-file format podman uses
 * ("<RFC3339Nano> stdout F <line>"; P marks a partial line) and copied to
 * attach clients. Attach protocol on the unix stream socket, both ways:
 * frames of [1-byte type][4-byte big-endian length][payload]:
 *   monitor -> client: 1 stdout, 2 stderr, 5 exit (payload: decimal code)
 *   client -> monitor: 0 stdin, 3 resize ("ROWS COLS"), 4 close stdin
 * When the container exits, its status is written to the exit file
 * atomically ({"exitCode":N,"finishedAt":"…"}), clients get an exit frame,
 * and the cleanup command (if any) is exec'd. SIGUSR2 cancels the cleanup
 * (`rm -f` removes the container itself); SIGTERM, SIGINT and SIGHUP sent
 * to the monitor are passed on to the container.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "orphans.h"

#define MAX_CLIENTS 16
#define MAX_CLEANUP 64
#define BUF_SIZE 32768

static const char *exit_file, *log_file, *attach_path, *pid_file, *console_path;
static int want_stdin = 0, sync_fd = -1, wait_attach = 0, cleanup_unless_attached = 0;
static int first_client = -1;
static char *cleanup_argv[MAX_CLEANUP + 1];
static int ncleanup = 0;

static int log_fd = -1;
static int clients[MAX_CLIENTS];
static int nclients = 0;
static int stdin_w = -1;     /* pipe to the container's stdin (non-tty) */
static int master_fd = -1;   /* pty master (tty) */

static void fatal(const char *what) {
  fprintf(stderr, "tote-monitor: %s: %s\n", what, strerror(errno));
  if (sync_fd >= 0) dprintf(sync_fd, "error 125 %s: %s\n", what, strerror(errno));
  exit(125);
}

static void timestamp(char *buf, size_t n) {
  struct timespec ts;
  struct tm tm;
  clock_gettime(CLOCK_REALTIME, &ts);
  gmtime_r(&ts.tv_sec, &tm);
  size_t k = strftime(buf, n, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(buf + k, n - k, ".%09ldZ", ts.tv_nsec);
}

static void write_all(int fd, const void *data, size_t len) {
  const char *p = data;
  while (len > 0) {
    ssize_t w = write(fd, p, len);
    if (w < 0) {
      if (errno == EINTR) continue;
      return;
    }
    p += w;
    len -= (size_t)w;
  }
}

/* Per-stream state: whether the last log line was left open (partial). */
static int line_open[3];

static void log_output(int stream, const char *data, size_t len) {
  if (log_fd < 0) return;
  const char *name = stream == 2 ? "stderr" : "stdout";
  char ts[64];
  while (len > 0) {
    const char *nl = memchr(data, '\n', len);
    size_t chunk = nl ? (size_t)(nl - data) + 1 : len;
    timestamp(ts, sizeof ts);
    char head[128];
    int h = snprintf(head, sizeof head, "%s %s %c ", ts, name, nl ? 'F' : 'P');
    write_all(log_fd, head, (size_t)h);
    write_all(log_fd, data, nl ? chunk - 1 : chunk);
    write_all(log_fd, "\n", 1);
    line_open[stream] = !nl;
    data += chunk;
    len -= chunk;
  }
}

static int send_frame(int fd, int type, const char *data, size_t len) {
  unsigned char head[5] = {(unsigned char)type, (unsigned char)(len >> 24), (unsigned char)(len >> 16), (unsigned char)(len >> 8), (unsigned char)len};
  /* Clients are blocking sockets; a stuck client only delays output, and a
   * gone one gets EPIPE (SIGPIPE is ignored) and is dropped on its next read. */
  size_t total = 5 + len;
  char *frame = malloc(total);
  if (!frame) return -1;
  memcpy(frame, head, 5);
  if (len) memcpy(frame + 5, data, len);
  ssize_t w = 0;
  size_t done = 0;
  while (done < total && ((w = write(fd, frame + done, total - done)) > 0 || (w < 0 && errno == EINTR)))
    if (w > 0) done += (size_t)w;
  free(frame);
  return done == total ? 0 : -1;
}

static void broadcast(int type, const char *data, size_t len) {
  for (int i = 0; i < nclients; i++) send_frame(clients[i], type, data, len);
}

static void drop_client(int i) {
  if (clients[i] == first_client) first_client = -1;
  close(clients[i]);
  clients[i] = clients[--nclients];
}

/* Reads one frame from a client; returns -1 when the client is gone. */
static int handle_client(int fd) {
  unsigned char head[5];
  ssize_t n = recv(fd, head, 5, MSG_WAITALL);
  if (n != 5) return -1;
  uint32_t len = ((uint32_t)head[1] << 24) | ((uint32_t)head[2] << 16) | ((uint32_t)head[3] << 8) | head[4];
  if (len > 1 << 20) return -1;
  char *buf = malloc(len + 1);
  if (!buf) return -1;
  if (len && recv(fd, buf, len, MSG_WAITALL) != (ssize_t)len) {
    free(buf);
    return -1;
  }
  buf[len] = 0;
  switch (head[0]) {
    case 0:
      if (master_fd >= 0) write_all(master_fd, buf, len);
      else if (stdin_w >= 0) write_all(stdin_w, buf, len);
      break;
    case 3: {
      unsigned rows = 0, cols = 0;
      if (master_fd >= 0 && sscanf(buf, "%u %u", &rows, &cols) == 2) {
        struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
        ioctl(master_fd, TIOCSWINSZ, &ws);
      }
      break;
    }
    case 4:
      if (stdin_w >= 0) {
        close(stdin_w);
        stdin_w = -1;
      }
      break;
  }
  free(buf);
  return 0;
}

static int listen_unix(const char *path) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof addr.sun_path) {
    errno = ENAMETOOLONG;
    return -1;
  }
  strcpy(addr.sun_path, path);
  unlink(path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(fd, 8) < 0) {
    close(fd);
    return -1;
  }
  chmod(path, 0600);
  return fd;
}

/* Receives the pty master the runtime sends over the console socket. */
static int receive_fd(int listener) {
  int conn = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
  if (conn < 0) return -1;
  char data[256];
  struct iovec iov = {.iov_base = data, .iov_len = sizeof data};
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } u;
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
  int fd = -1;
  if (recvmsg(conn, &msg, MSG_CMSG_CLOEXEC) >= 0) {
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) memcpy(&fd, CMSG_DATA(c), sizeof fd);
  }
  close(conn);
  return fd;
}

static void write_exit_file(int code) {
  char tmp[4096], ts[64];
  snprintf(tmp, sizeof tmp, "%s.tmp", exit_file);
  timestamp(ts, sizeof ts);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return;
  dprintf(fd, "{\"exitCode\":%d,\"finishedAt\":\"%s\"}\n", code, ts);
  fsync(fd);
  close(fd);
  rename(tmp, exit_file);
}

/*
 * SIGCHLDs coalesce: one signal may stand for several exits, including the
 * container's before we know its pid. So every wake-up reaps all children
 * and remembers their statuses.
 */
#define MAX_REAPED 64
static pid_t reaped_pid[MAX_REAPED];
static int reaped_status[MAX_REAPED];
static int nreaped = 0;

static void reap_all(void) {
  int st;
  pid_t w;
  while ((w = waitpid(-1, &st, WNOHANG)) > 0) {
    int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    if (nreaped < MAX_REAPED) {
      reaped_pid[nreaped] = w;
      reaped_status[nreaped++] = code;
    } else {
      memmove(reaped_pid, reaped_pid + 1, sizeof reaped_pid[0] * (MAX_REAPED - 1));
      memmove(reaped_status, reaped_status + 1, sizeof reaped_status[0] * (MAX_REAPED - 1));
      reaped_pid[MAX_REAPED - 1] = w;
      reaped_status[MAX_REAPED - 1] = code;
    }
  }
}

/* The exit status of `pid` if it was reaped, else -1. */
static int reaped(pid_t pid) {
  for (int k = 0; k < nreaped; k++)
    if (reaped_pid[k] == pid) return reaped_status[k];
  return -1;
}

static void usage(void) {
  fprintf(stderr, "usage: tote-monitor --exit-file P --log-file P --attach-socket P --pid-file P [--console-socket P] [--stdin] [--sync-fd N] [--cleanup ARG]... -- CMD...\n");
  exit(125);
}

int main(int argc, char **argv) {
  int i;
  for (i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--")) { i++; break; }
    else if (!strcmp(a, "--exit-file") && i + 1 < argc) exit_file = argv[++i];
    else if (!strcmp(a, "--log-file") && i + 1 < argc) log_file = argv[++i];
    else if (!strcmp(a, "--attach-socket") && i + 1 < argc) attach_path = argv[++i];
    else if (!strcmp(a, "--pid-file") && i + 1 < argc) pid_file = argv[++i];
    else if (!strcmp(a, "--console-socket") && i + 1 < argc) console_path = argv[++i];
    else if (!strcmp(a, "--sync-fd") && i + 1 < argc) sync_fd = atoi(argv[++i]);
    else if (!strcmp(a, "--stdin")) want_stdin = 1;
    else if (!strcmp(a, "--wait-attach")) wait_attach = 1;
    else if (!strcmp(a, "--cleanup-unless-attached")) cleanup_unless_attached = 1;
    else if (!strcmp(a, "--cleanup") && i + 1 < argc && ncleanup < MAX_CLEANUP) cleanup_argv[ncleanup++] = argv[++i];
    else usage();
  }
  if (i >= argc || !exit_file || !log_file || !attach_path || !pid_file) usage();
  char **cmd = argv + i;
  if (sync_fd >= 0) fcntl(sync_fd, F_SETFD, FD_CLOEXEC);

  prctl(PR_SET_CHILD_SUBREAPER, 1);
  signal(SIGPIPE, SIG_IGN);
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGCHLD);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGHUP);
  sigaddset(&mask, SIGUSR2);
  sigprocmask(SIG_BLOCK, &mask, NULL);
  int sfd = signalfd(-1, &mask, SFD_CLOEXEC);
  if (sfd < 0) fatal("signalfd");

  log_fd = open(log_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log_fd < 0) fatal("open log file");
  int attach_fd = listen_unix(attach_path);
  if (attach_fd < 0) fatal("attach socket");
  int console_fd = -1;
  if (console_path && (console_fd = listen_unix(console_path)) < 0) fatal("console socket");

  int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1}, in_pipe[2] = {-1, -1};
  if (!console_path) {
    if (pipe2(out_pipe, O_CLOEXEC) < 0 || pipe2(err_pipe, O_CLOEXEC) < 0) fatal("pipe");
    if (want_stdin && pipe2(in_pipe, O_CLOEXEC) < 0) fatal("pipe");
  }

  if (wait_attach) {
    /* Tell the caller where we are, then wait for its attach connection. */
    if (sync_fd >= 0) dprintf(sync_fd, "listening\n");
    int c = accept4(attach_fd, NULL, NULL, SOCK_CLOEXEC);
    if (c < 0) fatal("accept attach client");
    clients[nclients++] = c;
    first_client = c;
  }

  pid_t runtime = fork();
  if (runtime < 0) fatal("fork");
  if (runtime == 0) {
    sigprocmask(SIG_UNBLOCK, &mask, NULL);
    /* SIG_IGN survives exec: the container (and pasta, which refuses to
     * start with it) must get the default SIGPIPE back. */
    signal(SIGPIPE, SIG_DFL);
    int devnull = open("/dev/null", O_RDWR);
    dup2(in_pipe[0] >= 0 ? in_pipe[0] : devnull, 0);
    dup2(out_pipe[1] >= 0 ? out_pipe[1] : devnull, 1);
    dup2(err_pipe[1] >= 0 ? err_pipe[1] : devnull, 2);
    execvp(cmd[0], cmd);
    _exit(127);
  }
  if (in_pipe[0] >= 0) close(in_pipe[0]);
  if (out_pipe[1] >= 0) close(out_pipe[1]);
  if (err_pipe[1] >= 0) close(err_pipe[1]);
  stdin_w = in_pipe[1];

  /* Wait for the runtime to exit, taking the pty master on the way. */
  int runtime_status = -1;
  while (runtime_status < 0) {
    struct pollfd p[2] = {{.fd = sfd, .events = POLLIN}, {.fd = console_fd, .events = POLLIN}};
    if (poll(p, console_fd >= 0 && master_fd < 0 ? 2 : 1, -1) < 0 && errno != EINTR) fatal("poll");
    if (p[1].revents & POLLIN) {
      master_fd = receive_fd(console_fd);
      close(console_fd);
      console_fd = -1;
    }
    if (p[0].revents & POLLIN) {
      struct signalfd_siginfo si;
      if (read(sfd, &si, sizeof si) != sizeof si) continue;
      reap_all();
      runtime_status = reaped(runtime);
    }
  }
  if (console_fd >= 0) close(console_fd);
  if (console_path) unlink(console_path);

  pid_t container = 0;
  FILE *pf = fopen(pid_file, "r");
  if (pf) {
    if (fscanf(pf, "%d", &container) != 1) container = 0;
    fclose(pf);
  }
  if (runtime_status != 0 || container <= 0) {
    end_orphans();
    if (sync_fd >= 0) dprintf(sync_fd, "error %d\n", runtime_status ? runtime_status : 125);
    unlink(attach_path);
    return runtime_status ? runtime_status : 125;
  }
  if (sync_fd >= 0) {
    dprintf(sync_fd, "ready %d\n", (int)container);
    close(sync_fd);
    sync_fd = -1;
  }

  /* Event loop until the container exits and its output is drained. */
  reap_all();
  int exit_code = reaped(container);
  int fds_open = master_fd >= 0 ? 1 : 2;
  char buf[BUF_SIZE];
  while (exit_code < 0 || fds_open > 0) {
    struct pollfd p[4 + MAX_CLIENTS];
    int n = 0;
    p[n++] = (struct pollfd){.fd = sfd, .events = POLLIN};
    p[n++] = (struct pollfd){.fd = attach_fd, .events = POLLIN};
    int src0 = n;
    if (master_fd >= 0) p[n++] = (struct pollfd){.fd = master_fd, .events = POLLIN};
    if (out_pipe[0] >= 0) p[n++] = (struct pollfd){.fd = out_pipe[0], .events = POLLIN};
    if (err_pipe[0] >= 0) p[n++] = (struct pollfd){.fd = err_pipe[0], .events = POLLIN};
    int cl0 = n;
    for (int c = 0; c < nclients; c++) p[n++] = (struct pollfd){.fd = clients[c], .events = POLLIN};
    /* Once the container is gone, wait briefly for the last output. */
    int r = poll(p, (nfds_t)n, exit_code >= 0 ? 200 : -1);
    if (r < 0 && errno != EINTR) fatal("poll");
    if (r == 0) break;
    if (p[0].revents & POLLIN) {
      struct signalfd_siginfo si;
      if (read(sfd, &si, sizeof si) == sizeof si) {
        if (si.ssi_signo == SIGCHLD) {
          reap_all();
          if (exit_code < 0) exit_code = reaped(container);
        } else if (si.ssi_signo == SIGUSR2) {
          ncleanup = 0;
        } else if (container > 0) {
          kill(container, (int)si.ssi_signo); /* stopping the monitor stops the container */
        }
      }
    }
    if (p[1].revents & POLLIN) {
      int c = accept4(attach_fd, NULL, NULL, SOCK_CLOEXEC);
      if (c >= 0 && nclients < MAX_CLIENTS) clients[nclients++] = c;
      else if (c >= 0) close(c);
    }
    for (int k = src0; k < cl0; k++) {
      if (!(p[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t got = read(p[k].fd, buf, sizeof buf);
      int stream = p[k].fd == err_pipe[0] ? 2 : 1;
      if (got > 0) {
        log_output(stream, buf, (size_t)got);
        broadcast(stream, buf, (size_t)got);
      } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
        /* EOF (pipe) or EIO (pty with no slave left). */
        if (p[k].fd == master_fd) master_fd = -1;
        if (p[k].fd == out_pipe[0]) out_pipe[0] = -1;
        if (p[k].fd == err_pipe[0]) err_pipe[0] = -1;
        close(p[k].fd);
        fds_open--;
      }
    }
    for (int k = n - 1; k >= cl0; k--) {
      if (p[k].revents & (POLLIN | POLLHUP | POLLERR)) {
        if (handle_client(p[k].fd) < 0) drop_client(k - cl0);
      }
    }
  }

  end_orphans();
  write_exit_file(exit_code < 0 ? 137 : exit_code);
  char code_text[16];
  int cl = snprintf(code_text, sizeof code_text, "%d", exit_code);
  int told_first = 0;
  for (int c = 0; c < nclients; c++) {
    int ok = send_frame(clients[c], 5, code_text, (size_t)cl) == 0;
    if (clients[c] == first_client && ok) told_first = 1;
  }
  if (cleanup_unless_attached && told_first) ncleanup = 0;
  for (int c = 0; c < nclients; c++) close(clients[c]);
  close(attach_fd);
  unlink(attach_path);
  if (log_fd >= 0) close(log_fd);
  if (ncleanup > 0) {
    cleanup_argv[ncleanup] = NULL;
    sigprocmask(SIG_UNBLOCK, &mask, NULL);
    int devnull = open("/dev/null", O_RDWR);
    dup2(devnull, 0);
    execvp(cleanup_argv[0], cleanup_argv);
    _exit(125);
  }
  return 0;
}
