/*
 * Shared by tote-userns and tote-monitor, both child subreapers: processes
 * reparented to us (fuse-overlayfs, a network helper) are found by their
 * parent pid in /proc and terminated, so none outlives the container.
 */
#ifndef TOTE_ORPHANS_H
#define TOTE_ORPHANS_H

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Sends `sig` to every live child of ours; returns whether there was one. */
static int signal_orphans(int sig) {
  int found = 0;
  char path[300], buf[512];
  DIR *d = opendir("/proc");
  if (!d) return 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) continue;
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    int ppid = 0;
    char state;
    if (p && sscanf(p + 1, " %c %d", &state, &ppid) == 2 && ppid == getpid() && state != 'Z') {
      kill(atoi(e->d_name), sig);
      found = 1;
    }
  }
  closedir(d);
  return found;
}

/* SIGTERM for about half a second, then SIGKILL, reaping as we go. */
static void end_orphans(void) {
  for (int round = 0; round < 40; round++) {
    while (waitpid(-1, NULL, WNOHANG) > 0) {}
    if (!signal_orphans(round < 20 ? SIGTERM : SIGKILL)) return;
    usleep(25000);
  }
}

#endif
