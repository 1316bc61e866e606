/*
 * init-probe: prints the FUSE_INIT request a kernel sends to a new FUSE connection, so the kernel
 * matrix can show what each kernel offers independently of thawfs's negotiation.
 *
 * Opens /dev/fuse, mounts a fuse filesystem on a temporary directory with fd=N, reads the one
 * request that arrives first (FUSE_INIT), prints its header fields in hex and exits without
 * answering: closing the fd aborts the connection; the mount is detached with MNT_DETACH.
 *
 * Output, one line: INITPROBE major=7 minor=M max_readahead=0x.. flags=0x.. flags2=0x.. flags64=0x..
 * (flags64 = flags2 << 32 | flags, the form the kernel's FUSE_* 64-bit bit numbers refer to).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

struct in_header { /* struct fuse_in_header */
    uint32_t len, opcode;
    uint64_t unique, nodeid;
    uint32_t uid, gid, pid;
    uint16_t total_extlen, padding;
};
struct init_in { /* struct fuse_init_in (7.36+: flags2 and unused[11]) */
    uint32_t major, minor, max_readahead, flags, flags2, unused[11];
};

int main(void) {
    char dir[] = "/tmp/init-probe.XXXXXX";
    if (!mkdtemp(dir)) { perror("init-probe: mkdtemp"); return 1; }
    int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
    if (fd < 0) { perror("init-probe: open /dev/fuse"); rmdir(dir); return 1; }
    char opts[128];
    snprintf(opts, sizeof opts, "fd=%d,rootmode=40000,user_id=0,group_id=0", fd);
    if (mount("initprobe", dir, "fuse.initprobe", MS_RDONLY | MS_NOSUID | MS_NODEV, opts) != 0) {
        perror("init-probe: mount");
        rmdir(dir);
        return 1;
    }
    size_t size = (1 << 20) + 65536; /* the kernel wants room for max_write + header */
    unsigned char *buf = malloc(size);
    ssize_t n = read(fd, buf, size);
    int rc = 0;
    if (n < (ssize_t) sizeof(struct in_header)) {
        fprintf(stderr, "init-probe: read /dev/fuse: %zd (%s)\n", n, n < 0 ? strerror(errno) : "short");
        rc = 1;
    } else {
        struct in_header h;
        memcpy(&h, buf, sizeof h);
        struct init_in in;
        memset(&in, 0, sizeof in);
        size_t body = (size_t) n - sizeof h;
        memcpy(&in, buf + sizeof h, body < sizeof in ? body : sizeof in);
        if (h.opcode != 26) {
            fprintf(stderr, "init-probe: first request has opcode %u, not FUSE_INIT (26)\n", h.opcode);
            rc = 1;
        }
        /* before 7.36 there is no flags2; the kernel sends a shorter init_in */
        uint32_t flags2 = body >= 20 ? in.flags2 : 0;
        printf("INITPROBE major=%u minor=%u max_readahead=0x%x flags=0x%08x flags2=0x%08x flags64=0x%016" PRIx64
               " len=%u\n", in.major, in.minor, in.max_readahead, in.flags, flags2,
               ((uint64_t) flags2 << 32) | in.flags, h.len);
    }
    fflush(stdout);
    close(fd); /* aborts the connection: nobody answers INIT */
    if (umount2(dir, MNT_DETACH) != 0) perror("init-probe: umount2");
    rmdir(dir);
    free(buf);
    return rc;
}
