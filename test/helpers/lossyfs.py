#!/usr/bin/python3
"""A FUSE file system that keeps every write in memory until it is fsync'd: what a machine that
loses its power loses. It mirrors BACKING at MOUNTPOINT; data written there reaches BACKING only
when its file is fsync'd (fsync or fdatasync). Killing this process (SIGKILL) drops every unsynced
write, as a power cut drops the page cache; mounting BACKING again shows what survived.

Like LazyFS, it loses data, not names: creating, renaming, linking and removing files and folders
reach BACKING at once, and so does shrinking a file (a truncate is journaled metadata: the next
fsync of anything commits it, so a file rewritten in place and never synced comes back empty, as on
ext4). So no test on it can fail for a folder that was not fsync'd, and the loss is all or nothing:
never some pages of a file, or some files, and not the others. Unsynced writes are kept per name,
not per inode: a second hard link of a file with unsynced writes does not see them.

Used by test/e2e/crash-unsynced.test.ts: python3 lossyfs.py BACKING MOUNTPOINT (needs /dev/fuse,
root or fusermount, and Debian's python3-fusepy).
"""
import ctypes
import errno
import os
import signal
import sys
import threading

from fusepy import FUSE, FuseOSError, Operations

PAGE = 4096


class Unsynced:
    """A file's writes not yet fsync'd: whole pages over the backing file, and its size."""

    def __init__(self, size):
        self.size = size
        # How much of the backing file still shows through (less after a truncate): zeros beyond.
        self.backed = size
        self.pages = {}

    def from_backing(self, fh, size, offset):
        """Bytes of the backing file as this file shows them (zeros past `backed`)."""
        real = max(0, min(size, self.backed - offset))
        data = os.pread(fh, real, offset) if real > 0 else b''
        return data + bytes(size - len(data))


class LossyFS(Operations):
    def __init__(self, backing):
        self.backing = os.path.realpath(backing)
        self.unsynced = {}  # backing path -> Unsynced
        self.mutex = threading.RLock()

    def _path(self, path):
        return os.path.join(self.backing, path.lstrip('/'))

    # --- data: kept here until fsync ---

    def _page(self, full, state, index):
        page = state.pages.get(index)
        if page is None:
            if index * PAGE >= state.backed:
                page = bytearray(PAGE)
            else:
                fd = os.open(full, os.O_RDONLY)
                try:
                    page = bytearray(state.from_backing(fd, PAGE, index * PAGE))
                finally:
                    os.close(fd)
            state.pages[index] = page
        return page

    def _state(self, full):
        state = self.unsynced.get(full)
        if state is None:
            state = Unsynced(os.lstat(full).st_size)
            self.unsynced[full] = state
        return state

    def read(self, path, size, offset, fh):
        full = self._path(path)
        with self.mutex:
            state = self.unsynced.get(full)
            if state is None:
                return os.pread(fh, size, offset)
            end = min(offset + size, state.size)
            out = bytearray()
            at = offset
            while at < end:
                index, within = divmod(at, PAGE)
                take = min(PAGE - within, end - at)
                page = state.pages.get(index)
                out += page[within : within + take] if page is not None else state.from_backing(fh, take, at)
                at += take
            return bytes(out)

    def write(self, path, data, offset, fh):
        full = self._path(path)
        with self.mutex:
            state = self._state(full)
            at = offset
            rest = memoryview(data)
            while len(rest) > 0:
                index, within = divmod(at, PAGE)
                take = min(PAGE - within, len(rest))
                page = self._page(full, state, index)
                page[within : within + take] = rest[:take]
                rest = rest[take:]
                at += take
            state.size = max(state.size, offset + len(data))
            return len(data)

    def truncate(self, path, length, fh=None):
        full = self._path(path)
        with self.mutex:
            state = self._state(full)
            if length < state.size:
                for index in [i for i in state.pages if i * PAGE >= length]:
                    del state.pages[index]
                within = length % PAGE
                if within and (length // PAGE) in state.pages:
                    state.pages[length // PAGE][within:] = bytes(PAGE - within)
            if length < state.backed:
                # Shrinking is metadata: on the disk at once, whatever follows.
                os.truncate(full, length)
                state.backed = length
            state.size = length

    def fsync(self, path, datasync, fh):
        full = self._path(path)
        with self.mutex:
            state = self.unsynced.get(full)
            if state is None:
                return 0
            fd = os.open(full, os.O_WRONLY)
            try:
                os.ftruncate(fd, state.size)
                for index, page in state.pages.items():
                    start = index * PAGE
                    if start < state.size:
                        os.pwrite(fd, bytes(page[: min(PAGE, state.size - start)]), start)
            finally:
                os.close(fd)
            # On the backing folder's file system now: a kill of this process no longer loses it
            # (the backing page cache survives; only this process's memory is the lost power).
            del self.unsynced[full]
        return 0

    def release(self, path, fh):
        os.close(fh)
        return 0

    # --- names and attributes: straight through ---

    def getattr(self, path, fh=None):
        full = self._path(path)
        with self.mutex:
            st = os.lstat(full)
            attrs = {key: getattr(st, key) for key in ('st_atime', 'st_ctime', 'st_gid', 'st_mode', 'st_mtime', 'st_nlink', 'st_size', 'st_uid')}
            state = self.unsynced.get(full)
            if state is not None:
                attrs['st_size'] = state.size
        return attrs

    def access(self, path, mode):
        if not os.access(self._path(path), mode):
            raise FuseOSError(errno.EACCES)

    def chmod(self, path, mode):
        return os.chmod(self._path(path), mode)

    def chown(self, path, uid, gid):
        return os.chown(self._path(path), uid, gid)

    def readdir(self, path, fh):
        return ['.', '..'] + os.listdir(self._path(path))

    def readlink(self, path):
        return os.readlink(self._path(path))

    def mknod(self, path, mode, dev):
        return os.mknod(self._path(path), mode, dev)

    def mkdir(self, path, mode):
        return os.mkdir(self._path(path), mode)

    def rmdir(self, path):
        return os.rmdir(self._path(path))

    def statfs(self, path):
        sv = os.statvfs(self._path(path))
        return {key: getattr(sv, key) for key in ('f_bavail', 'f_bfree', 'f_blocks', 'f_bsize', 'f_favail', 'f_ffree', 'f_files', 'f_flag', 'f_frsize', 'f_namemax')}

    def unlink(self, path):
        full = self._path(path)
        with self.mutex:
            os.unlink(full)
            if not os.path.lexists(full):
                self.unsynced.pop(full, None)

    def symlink(self, name, target):
        return os.symlink(target, self._path(name))

    def rename(self, old, new):
        source, target = self._path(old), self._path(new)
        with self.mutex:
            os.rename(source, target)
            self.unsynced.pop(target, None)
            # The file's unsynced writes follow it; a folder's, those of every file under it.
            for path in [p for p in self.unsynced if p == source or p.startswith(source + '/')]:
                self.unsynced[target + path[len(source):]] = self.unsynced.pop(path)

    def link(self, new, existing):
        # See the module's comment: the daemon links only files it has fsync'd.
        return os.link(self._path(existing), self._path(new))

    def utimens(self, path, times=None):
        return os.utime(self._path(path), times)

    def open(self, path, flags):
        # Only read through: writes stay here until fsync, which opens the backing file itself.
        return os.open(self._path(path), os.O_RDONLY)

    def create(self, path, mode, fi=None):
        full = self._path(path)
        with self.mutex:
            fd = os.open(full, os.O_RDONLY | os.O_CREAT, mode)
            # A new file's name is there at once; its content is not until fsync'd.
            self.unsynced[full] = Unsynced(os.fstat(fd).st_size)
        return fd


def main():
    backing, mountpoint = sys.argv[1], sys.argv[2]
    # Ends with the test that started it, even one killed outright (PR_SET_PDEATHSIG).
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
    # Files removed while open, kept by libfuse as .fuse_hidden*: a file system mounted after a power
    # cut has none (its orphans are cleaned up when it is mounted).
    for folder, _, files in os.walk(backing):
        for name in files:
            if name.startswith('.fuse_hidden'):
                os.unlink(os.path.join(folder, name))
    FUSE(LossyFS(backing), mountpoint, foreground=True, nothreads=False, default_permissions=True, big_writes=True, max_write=131072)


if __name__ == '__main__':
    main()
