/* The least work a walk can do that keeps prepare's safety: a stat of each
 * entry before its chown (hard links, mounts, what is already right), links
 * never followed; one thread, no queue, no sorting, no counts, no messages.
 * With JOBS, that many processes share the top level's entries out (every
 * JOBS-th each), so that each has its own share of the tree and nothing in
 * common with the others: the best split a parallel walk could hope for.
 * bench/prepare.sh times it beside coreutils and kafka-init, as the floor
 * for any walk that stats each entry before its chown, on this machine.
 * Not a tool: no error handling beyond stopping, nothing kafka-init uses.
 * Usage: stat-chown UID GID DIR [JOBS]   (JOBS: 1) */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static uid_t uid;
static gid_t gid;
static dev_t dev; /* the tree's filesystem: entries on another are left alone */

/* Walks what is below `dir`; at the top (jobs > 1), only every jobs-th
 * entry from `part` on, the rest being another process's. */
static void walk(int dir, long part, long jobs) {
    DIR *d = fdopendir(dir);
    if (!d) { perror("fdopendir"); exit(1); }
    struct dirent *e;
    for (long i = 0; (e = readdir(d)); i++) {
        const char *n = e->d_name;
        if (n[0] == '.' && (!n[1] || (n[1] == '.' && !n[2]))) continue;
        if (i % jobs != part) continue;
        struct stat st;
        if (e->d_type == DT_DIR
            || (e->d_type == DT_UNKNOWN && !fstatat(dir, n, &st, AT_SYMLINK_NOFOLLOW) && S_ISDIR(st.st_mode))) {
            int sub = openat(dir, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub < 0 || fstat(sub, &st)) { perror(n); exit(1); }
            if (st.st_dev != dev) { close(sub); continue; }
            if ((st.st_uid != uid || st.st_gid != gid) && fchown(sub, uid, gid)) { perror(n); exit(1); }
            walk(sub, 0, 1);
            continue;
        }
        if (fstatat(dir, n, &st, AT_SYMLINK_NOFOLLOW)) { perror(n); exit(1); }
        if (st.st_dev != dev) continue;
        if ((S_ISREG(st.st_mode) && st.st_nlink == 1) || S_ISLNK(st.st_mode))
            if ((st.st_uid != uid || st.st_gid != gid)
                && fchownat(dir, n, uid, gid, AT_SYMLINK_NOFOLLOW)) { perror(n); exit(1); }
    }
    closedir(d);
}

int main(int argc, char **argv) {
    if (argc != 4 && argc != 5) { fprintf(stderr, "usage: stat-chown UID GID DIR [JOBS]\n"); return 2; }
    long jobs = argc == 5 ? atol(argv[4]) : 1;
    if (jobs < 1) jobs = 1;
    uid = (uid_t)atol(argv[1]);
    gid = (gid_t)atol(argv[2]);
    /* JOBS processes share the top level's entries out: each opens the dir
     * itself (a descriptor inherited across fork would share its reading
     * position), and has nothing in common with the others: no queue, no
     * lock. */
    long part = 0;
    while (part < jobs - 1 && fork() != 0) part++;
    int root = open(argv[3], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct stat st;
    if (root < 0 || fstat(root, &st)) { perror(argv[3]); return 1; }
    dev = st.st_dev;
    walk(root, part, jobs);
    if (part != jobs - 1) return 0;
    int status, failed = 0;
    while (wait(&status) > 0) failed |= !WIFEXITED(status) || WEXITSTATUS(status);
    return failed;
}
