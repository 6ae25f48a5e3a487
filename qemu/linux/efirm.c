// efirm PATH...: deletes efivarfs variables. efivarfs marks every variable outside its
// known-variable list immutable, and busybox has no chattr: clear FS_IMMUTABLE_FL, then unlink
// (which Linux turns into SetVariable with no data). Built static for the test initrd.
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(int argc, char **argv) {
    int failed = 0;
    for (int i = 1; i < argc; i++) {
        int fd = open(argv[i], O_RDONLY);
        int flags = 0;
        if (fd < 0 || ioctl(fd, FS_IOC_GETFLAGS, &flags) != 0) { perror(argv[i]); failed = 1; continue; }
        flags &= ~FS_IMMUTABLE_FL;
        if (ioctl(fd, FS_IOC_SETFLAGS, &flags) != 0 || close(fd) != 0 || unlink(argv[i]) != 0) { perror(argv[i]); failed = 1; }
    }
    return failed;
}
